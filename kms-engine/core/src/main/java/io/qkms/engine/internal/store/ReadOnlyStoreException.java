package io.qkms.engine.internal.store;

/** A write was attempted on a store opened read-only. */
public final class ReadOnlyStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReadOnlyStoreException() {
    super("The key store is open read-only");
  }
}
