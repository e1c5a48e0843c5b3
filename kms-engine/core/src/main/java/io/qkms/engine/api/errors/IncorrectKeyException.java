package io.qkms.engine.api.errors;

/** The key ID in the request does not identify the key that encrypted the ciphertext. */
public final class IncorrectKeyException extends KmsException {
  private static final long serialVersionUID = 1L;

  public IncorrectKeyException(String message) {
    super(message);
  }
}
