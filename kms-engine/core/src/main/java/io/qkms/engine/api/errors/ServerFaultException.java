package io.qkms.engine.api.errors;

/**
 * An error that is the server's fault, not the request's (HTTP 500); retrying later may succeed.
 */
public abstract class ServerFaultException extends KmsException {
  private static final long serialVersionUID = 1L;

  protected ServerFaultException(String message) {
    super(message);
  }

  protected ServerFaultException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final boolean isServerFault() {
    return true;
  }
}
