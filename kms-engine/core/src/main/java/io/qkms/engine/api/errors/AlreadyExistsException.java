package io.qkms.engine.api.errors;

/** The entity (for example an alias) already exists. */
public final class AlreadyExistsException extends KmsException {
  private static final long serialVersionUID = 1L;

  public AlreadyExistsException(String message) {
    super(message);
  }
}
