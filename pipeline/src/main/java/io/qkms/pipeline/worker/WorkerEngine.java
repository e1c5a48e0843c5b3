package io.qkms.pipeline.worker;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.ListKeyRotationsResponse;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.engine.cache.KeyCacheStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's lease on the JVM's shared engine for a spec: what the re-key DoFn calls, directly
 * ({@link #reEncrypt}, retried by the DoFn) on its fast path. Thread-safe like the engine; {@link
 * #close()} gives the lease back (once).
 */
public final class WorkerEngine implements WorkerKms {
  private final WorkerEngines.Shared shared;
  private boolean closed;

  WorkerEngine(WorkerEngines.Shared shared) {
    this.shared = shared;
  }

  /**
   * ReEncrypt, as the spec's principal in the spec's region.
   *
   * @return the engine's answer: the new ciphertext blob, and the source key's ARN the caller
   *     counts by (the cached key's own string, so counting costs no header parse)
   * @throws io.qkms.engine.api.errors.KmsException as the engine reports it
   */
  public ReEncryptResponse reEncrypt(
      byte[] ciphertext,
      String sourceKeyId,
      Map<String, String> sourceContext,
      String destinationKeyId,
      Map<String, String> destinationContext,
      List<String> grantTokens) {
    return shared.engine.reEncrypt(
        shared.caller,
        request(
                ciphertext,
                sourceKeyId,
                sourceContext,
                destinationKeyId,
                destinationContext,
                grantTokens)
            .build());
  }

  /**
   * The engine's ReEncrypt request for {@code args}, as {@link #reEncrypt} sends it (the
   * preflight's sampled dry runs add DryRun to it).
   */
  public static ReEncryptRequest.Builder request(Args args) {
    return request(
        args.ciphertext(),
        args.sourceKeyId(),
        args.sourceContext(),
        args.destinationKeyId(),
        args.destinationContext(),
        args.grantTokens());
  }

  private static ReEncryptRequest.Builder request(
      byte[] ciphertext,
      String sourceKeyId,
      Map<String, String> sourceContext,
      String destinationKeyId,
      Map<String, String> destinationContext,
      List<String> grantTokens) {
    return ReEncryptRequest.builder()
        .ciphertextBlob(ciphertext)
        .sourceKeyId(sourceKeyId)
        .sourceEncryptionContext(sourceContext)
        .destinationKeyId(destinationKeyId)
        .destinationEncryptionContext(destinationContext)
        .grantTokens(grantTokens);
  }

  /**
   * One ReEncrypt on this thread, without retries (the job calls {@link #reEncrypt} with its own
   * retry policy instead): the outcome is given to {@code call} before this returns.
   */
  @Override
  public void submit(Call call) {
    byte[] out;
    try {
      out = shared.engine.reEncrypt(shared.caller, request(call).build()).ciphertextBlob();
    } catch (KmsException e) {
      call.failed(e.errorCode(), e.getMessage(), 1, e.isRetryable());
      return;
    }
    call.succeeded(out);
  }

  @Override
  public void flush() {}

  @Override
  public boolean completesInline() {
    return true;
  }

  /**
   * The key and material {@code keyId} encrypts with now (from the key cache).
   *
   * @throws io.qkms.engine.api.errors.KmsException if the key cannot be described
   */
  @Override
  public KeyMaterialRef currentMaterial(String keyId) {
    return shared.engine.currentKeyMaterial(shared.caller, keyId);
  }

  /** The key and material a ciphertext's header names, or null if it is no QKMS ciphertext. */
  @Override
  public KeyMaterialRef ciphertextMaterial(byte[] ciphertext) {
    return shared.engine.ciphertextKeyMaterial(ciphertext);
  }

  @Override
  public Map<String, Instant> materialDates(String keyId) {
    Map<String, Instant> out = new HashMap<>();
    try {
      for (RotationsListEntry e : keyMaterials(keyId)) {
        out.put(e.keyMaterialId(), e.rotationDate());
      }
    } catch (NotFoundException e) {
      // A key this store does not hold: ReEncrypt will say so for the record.
    }
    return out;
  }

  /**
   * Every material of a key, the initial one included, with its creation time ({@code
   * rotationDate}) and whether it is current: ListKeyRotations (needs kms:ListKeyRotations), every
   * page.
   *
   * @throws io.qkms.engine.api.errors.KmsException as the engine reports it
   */
  public List<RotationsListEntry> keyMaterials(String keyId) {
    List<RotationsListEntry> out = new ArrayList<>();
    String marker = null;
    do {
      ListKeyRotationsResponse page =
          shared.engine.listKeyRotations(
              shared.caller, new ListKeyRotationsRequest(keyId, "ALL_KEY_MATERIAL", 1000, marker));
      out.addAll(page.rotations());
      marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
    } while (marker != null);
    return out;
  }

  @Override
  public Activity takeActivity() {
    return Activity.ofCache(takeCacheDelta());
  }

  /** An engine call was answered (successfully or with a permanent error): the engine is up. */
  public void noteAnswered() {
    if (shared.exhaustedInARow.get() != 0) {
      shared.exhaustedInARow.set(0);
    }
  }

  /**
   * A record used up its retries on transient errors.
   *
   * @return how many records in a row (by any user of this engine) have done so
   */
  public int noteExhausted() {
    return shared.exhaustedInARow.incrementAndGet();
  }

  /** Key cache activity since the last call by any user of this engine. */
  public KeyCacheStats takeCacheDelta() {
    return shared.takeCacheDelta();
  }

  /** The spec this engine was opened for. */
  public EngineSpec spec() {
    return shared.spec;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      WorkerEngines.release(shared);
    }
  }
}
