package io.qkms.engine.api.errors;

/** The key's usage or spec does not allow this operation or algorithm. */
public final class InvalidKeyUsageException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidKeyUsageException(String message) {
    super(message);
  }
}
