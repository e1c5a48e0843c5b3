package io.qkms.engine.api.errors;

/** A pagination marker is not valid. */
public final class InvalidMarkerException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidMarkerException(String message) {
    super(message);
  }
}
