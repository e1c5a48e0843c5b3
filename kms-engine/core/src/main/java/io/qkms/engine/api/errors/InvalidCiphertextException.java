package io.qkms.engine.api.errors;

/**
 * The ciphertext is corrupted, truncated, extended, foreign, or was made with another encryption
 * context. Like AWS KMS, it carries no message: saying which check failed would help an attacker.
 */
public final class InvalidCiphertextException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidCiphertextException() {
    super(null);
  }
}
