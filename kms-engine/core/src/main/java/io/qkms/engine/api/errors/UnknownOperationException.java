package io.qkms.engine.api.errors;

/** The X-Amz-Target names no operation. */
public final class UnknownOperationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public UnknownOperationException(String message) {
    super(message);
  }
}
