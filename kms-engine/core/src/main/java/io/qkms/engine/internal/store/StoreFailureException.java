package io.qkms.engine.internal.store;

/** The store is damaged or unreadable: an internal fault, not something a caller did. */
public final class StoreFailureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreFailureException(String message) {
    super(message);
  }

  public StoreFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
