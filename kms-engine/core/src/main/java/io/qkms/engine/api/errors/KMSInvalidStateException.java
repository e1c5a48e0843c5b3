package io.qkms.engine.api.errors;

/** The key's state does not allow this operation. */
public final class KMSInvalidStateException extends KmsException {
  private static final long serialVersionUID = 1L;

  public KMSInvalidStateException(String message) {
    super(message);
  }
}
