package io.qkms.engine.internal.store;

/** Key material cannot be unwrapped right now, for example because the store is sealed. */
public final class MaterialUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MaterialUnavailableException(String message) {
    super(message);
  }
}
