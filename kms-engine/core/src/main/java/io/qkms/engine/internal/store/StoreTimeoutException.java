package io.qkms.engine.internal.store;

/** The store did not answer within the caller's deadline. */
public final class StoreTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreTimeoutException(String message) {
    super(message);
  }
}
