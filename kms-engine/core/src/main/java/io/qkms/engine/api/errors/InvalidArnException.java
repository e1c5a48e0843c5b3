package io.qkms.engine.api.errors;

/** An ARN in the request is not valid. */
public final class InvalidArnException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidArnException(String message) {
    super(message);
  }
}
