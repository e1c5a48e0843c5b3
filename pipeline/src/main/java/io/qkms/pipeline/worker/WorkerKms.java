package io.qkms.pipeline.worker;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.cache.KeyCacheStats;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The KMS as the re-key DoFn sees it, one lease per DoFn instance on what its worker JVM shares:
 * either the embedded engine over a key store ({@link WorkerEngine}, the fast path: every call
 * completes on the caller's thread) or a remote endpoint reached with the AWS SDK ({@code
 * worker.remote.RemoteKms}: calls complete later, on other threads, within the job's request
 * budget). Plaintext and key material never pass through this interface.
 */
public interface WorkerKms extends AutoCloseable {
  /**
   * What one ReEncrypt sends: the blob, the source key (null: the one its header names) and
   * context, the destination key and context (null or empty: none), the grant tokens (null or
   * empty: none).
   */
  interface Args {
    byte[] ciphertext();

    String sourceKeyId();

    Map<String, String> sourceContext();

    String destinationKeyId();

    Map<String, String> destinationContext();

    List<String> grantTokens();
  }

  /** A ReEncrypt's arguments alone, for a call made outside the job's (a preflight's sample). */
  record Probe(
      byte[] ciphertext,
      String sourceKeyId,
      Map<String, String> sourceContext,
      String destinationKeyId,
      Map<String, String> destinationContext,
      List<String> grantTokens)
      implements Args {}

  /** One ReEncrypt: what to send, and where its outcome goes (exactly one of the two methods). */
  interface Call extends Args {

    /** The new ciphertext. */
    void succeeded(byte[] ciphertext);

    /**
     * The call failed with the API's {@code errorCode}, after {@code attempts} sends; {@code
     * transientError}: the endpoint or store was unavailable (or kept throttling) until the retries
     * ran out, so the record may be replayed later.
     */
    void failed(String errorCode, String message, int attempts, boolean transientError);
  }

  /**
   * Starts a ReEncrypt. Its outcome goes to {@code call}, on this thread before this returns or
   * later on another thread. May block while the worker's calls in flight are at their bound.
   *
   * @throws IllegalStateException when the KMS is taken to be down (many records in a row used up
   *     their retries): the work should fail rather than dead-letter the rest of the input
   */
  void submit(Call call);

  /**
   * Sends what is buffered (a partial batch). Calls it between waits for outcomes.
   *
   * @throws IllegalStateException when the KMS is taken to be down, as {@link #submit}
   */
  void flush();

  /** Whether {@link #submit} completes every call before it returns. */
  boolean completesInline();

  /**
   * The key and material a ciphertext's cleartext header names, or null if it is no QKMS ciphertext
   * (an AWS KMS one, for example). Reads the header only.
   */
  KeyMaterialRef ciphertextMaterial(byte[] ciphertext);

  /**
   * The material {@code keyId} encrypts with now (cached for the cache TTL). The embedded engine
   * throws its {@code KmsException} when the key cannot be described; a remote KMS answers null
   * when it cannot tell (the ciphertext is then re-encrypted).
   */
  KeyMaterialRef currentMaterial(String keyId);

  /**
   * When each material of {@code keyId} was created, by material ID: ListKeyRotations with every
   * material (the initial one included), every page. Empty for a key the KMS does not hold.
   *
   * @throws RuntimeException the embedded engine's {@code KmsException}, or a remote KMS's {@code
   *     RemoteCallException} (with the API's code), when the key cannot be listed
   */
  Map<String, Instant> materialDates(String keyId);

  /** What this worker's KMS did since the last call by any of its users, for the metrics. */
  Activity takeActivity();

  /** Gives the lease back; the last one closes what the JVM shared. */
  @Override
  void close();

  /**
   * Work done by a worker JVM's KMS: key cache activity (embedded engine) and requests to a remote
   * endpoint: HTTP requests, ReEncrypt operations sent (each item of a batch, each retry), those
   * answered with ThrottlingException, nanoseconds the worker spent throttled (from a throttled
   * answer to the next answer that was not), and DescribeKey calls.
   */
  record Activity(
      KeyCacheStats cache,
      long httpRequests,
      long reEncryptCalls,
      long throttled,
      long throttledNanos,
      long describeCalls,
      long failed) {
    public static Activity ofCache(KeyCacheStats cache) {
      return new Activity(cache, 0, 0, 0, 0, 0, 0);
    }
  }
}
