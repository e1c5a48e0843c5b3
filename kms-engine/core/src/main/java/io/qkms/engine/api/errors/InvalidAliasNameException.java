package io.qkms.engine.api.errors;

/** An alias name is malformed or reserved. */
public final class InvalidAliasNameException extends KmsException {
  private static final long serialVersionUID = 1L;

  public InvalidAliasNameException(String message) {
    super(message);
  }
}
