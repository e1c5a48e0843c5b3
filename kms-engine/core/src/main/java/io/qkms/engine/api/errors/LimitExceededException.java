package io.qkms.engine.api.errors;

/** A limit (for example on-demand rotations per key) was reached. */
public final class LimitExceededException extends KmsException {
  private static final long serialVersionUID = 1L;

  public LimitExceededException(String message) {
    super(message);
  }
}
