package io.qkms.engine.api.errors;

/** The specified key is disabled. */
public final class DisabledException extends KmsException {
  private static final long serialVersionUID = 1L;

  public DisabledException(String message) {
    super(message);
  }
}
