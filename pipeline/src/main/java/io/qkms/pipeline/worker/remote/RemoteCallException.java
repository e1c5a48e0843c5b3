package io.qkms.pipeline.worker.remote;

/**
 * A call to a remote KMS that failed, as the launcher's checks see it: the API's error code (or
 * {@value RemoteErrors#ENDPOINT_UNAVAILABLE} when nothing answered), the message, and whether the
 * failure may pass (throttling, a 5xx, no answer).
 */
public final class RemoteCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final boolean unreachable;
  private final boolean retryable;

  RemoteCallException(RemoteErrors.Failure f) {
    super(f.message());
    this.code = f.code();
    this.unreachable = f.kind() == RemoteErrors.Kind.UNREACHABLE;
    this.retryable = f.retryable();
  }

  /** The API's error code, e.g. {@code NotFoundException}, {@code UnrecognizedClientException}. */
  public String code() {
    return code;
  }

  /** Nothing answered: no connection, a reset, a timeout. */
  public boolean unreachable() {
    return unreachable;
  }

  /** An https endpoint's TLS handshake failed (the message says why: trust, host name, ...). */
  public boolean tls() {
    return RemoteErrors.ENDPOINT_TLS.equals(code);
  }

  public boolean retryable() {
    return retryable;
  }

  /** The code and the message, as the SDK reported them. */
  public String describe() {
    return code + (getMessage() == null || getMessage().isBlank() ? "" : ": " + getMessage());
  }
}
