package io.qkms.engine.api.errors;

/** The request does not satisfy the API's constraints. */
public final class ValidationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public ValidationException(String message) {
    super(message);
  }
}
