package io.qkms.engine.api.errors;

/** The key store did not answer within its deadline. Server fault (HTTP 500); retryable. */
public final class DependencyTimeoutException extends ServerFaultException {
  private static final long serialVersionUID = 1L;

  public DependencyTimeoutException(String message) {
    super(message);
  }
}
