package io.qkms.engine;

import static io.qkms.engine.Steps.canaryBlob;

import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

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
}
