package io.qkms.engine.api.errors;

/** The caller is not authorized for this operation on this key. */
public final class AccessDeniedException extends KmsException {
  private static final long serialVersionUID = 1L;

  public AccessDeniedException(String message) {
    super(message);
  }
}
