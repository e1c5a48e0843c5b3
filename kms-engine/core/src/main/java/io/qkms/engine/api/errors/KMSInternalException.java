package io.qkms.engine.api.errors;

/**
 * An internal fault, such as a corrupted record in the key store. Server fault (HTTP 500);
 * retryable.
 */
public final class KMSInternalException extends ServerFaultException {
  private static final long serialVersionUID = 1L;

  public KMSInternalException(String message) {
    super(message);
  }

  public KMSInternalException(String message, Throwable cause) {
    super(message, cause);
  }
}
