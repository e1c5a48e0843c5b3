package io.qkms.engine.internal.crypto;

/**
 * A ciphertext that cannot be parsed or does not authenticate. Deliberately says nothing about
 * which check failed: the caller maps it to an InvalidCiphertextException with no message.
 */
public final class BadCiphertextException extends Exception {
  private static final long serialVersionUID = 1L;

  public BadCiphertextException() {
    super(null, null, false, false);
  }
}
