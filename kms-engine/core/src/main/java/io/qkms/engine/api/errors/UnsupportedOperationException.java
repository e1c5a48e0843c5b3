package io.qkms.engine.api.errors;

/** The operation is not supported for this key. */
public final class UnsupportedOperationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public UnsupportedOperationException(String message) {
    super(message);
  }
}
