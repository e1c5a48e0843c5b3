package io.qkms.engine.api.errors;

/** The specified entity or resource could not be found. */
public final class NotFoundException extends KmsException {
  private static final long serialVersionUID = 1L;

  public NotFoundException(String message) {
    super(message);
  }
}
