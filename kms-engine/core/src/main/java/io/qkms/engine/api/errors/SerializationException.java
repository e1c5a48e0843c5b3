package io.qkms.engine.api.errors;

/** The request body is not valid JSON for the operation. */
public final class SerializationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public SerializationException(String message) {
    super(message);
  }
}
