package io.qkms.engine.api.errors;

/**
 * An error of the QKMS API. Each subclass is one API error code; {@link #errorCode()} is the {@code
 * __type} the wire carries. Client errors are HTTP 400; only {@link #isServerFault() server faults}
 * are 500. Messages never contain plaintext or key material.
 */
public abstract class KmsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected KmsException(String message) {
    // No stack trace: these are expected outcomes on the hot path (bad records in a big job), and
    // a trace adds nothing a caller can act on.
    super(message, null, false, false);
  }

  protected KmsException(String message, Throwable cause) {
    super(message, cause, false, true);
  }

  /** The API error code, e.g. {@code InvalidCiphertextException}. */
  public final String errorCode() {
    return getClass().getSimpleName();
  }

  /** Whether this is a server-side fault (HTTP 500) rather than a client error (HTTP 400). */
  public boolean isServerFault() {
    return false;
  }

  /**
   * Whether retrying the same request later may succeed (true for the three server faults, which is
   * what the re-key job retries with backoff).
   */
  public boolean isRetryable() {
    return isServerFault();
  }
}
