package io.qkms.engine.api.errors;

/** A grant ID is not valid. */
public final class InvalidGrantIdException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidGrantIdException(String message) {
    super(message);
  }
}
