package io.qkms.engine;

import static io.qkms.engine.Steps.canaryBlob;
import static io.qkms.engine.Steps.reEncrypt;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.testing.EngineFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;

/**
 * What each ReEncrypt behaviour test starts from: a fresh engine ({@link EngineFixture}), a source
 * and a destination key, and the canary encrypted under the source with {@link Steps#CONTEXT}.
 * Subclasses add their own set-up in a {@code @BeforeEach} of their own, which runs after this one.
 */
abstract class ReEncryptFixture {
  EngineFixture f;
  KeyMetadata source;
  KeyMetadata destination;
  byte[] blob;

  @BeforeEach
  final void createSourceAndDestination() {
    f = new EngineFixture();
    source = f.symmetricKey();
    destination = f.symmetricKey();
    blob = canaryBlob(f, source.keyId());
  }

  @AfterEach
  final void closeEngine() {
    f.close();
  }

  /** Which of the two keys a case is about. */
  enum Side {
    SOURCE,
    DESTINATION
  }

  final KeyMetadata key(Side side) {
    return side == Side.SOURCE ? source : destination;
  }

  /** A ReEncrypt of the canary blob to the destination key, to which a case adds what it needs. */
  final ReEncryptRequest.Builder toDestination() {
    return reEncrypt(blob, destination.keyId());
  }

  /** A dry run to the destination key that ignores the ciphertext, so needs no blob. */
  final ReEncryptRequest.Builder dryRunIgnoringTheCiphertext() {
    return ReEncryptRequest.builder()
        .destinationKeyId(destination.keyId())
        .dryRun(true)
        .dryRunModifiers(List.of("IGNORE_CIPHERTEXT"));
  }

  /** The ReEncrypt call, as {@code caller}. */
  final Executable reEncryptAs(Caller caller, ReEncryptRequest.Builder request) {
    return () -> f.engine.reEncrypt(caller, request.build());
  }
}
