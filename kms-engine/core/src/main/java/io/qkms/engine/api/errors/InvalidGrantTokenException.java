package io.qkms.engine.api.errors;

/** A grant token is malformed or does not belong to a live grant. */
public final class InvalidGrantTokenException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidGrantTokenException(String message) {
    super(message);
  }
}
