package io.qkms.engine.store.file;

/**
 * A key store that cannot be created or opened, with the reason in words a user can act on. The
 * store on disk is never changed when this is thrown.
 */
public final class KeyStoreOpenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the store could not be opened. */
  public enum Problem {
    /** The directory holds no key store. */
    NOT_FOUND,
    /** {@code init} found something already there. */
    ALREADY_EXISTS,
    /** The root key file is missing, unreadable or not 32 bytes. */
    ROOT_KEY_UNAVAILABLE,
    /** The root key or passphrase is not the one this store was made with. */
    WRONG_ROOT_KEY,
    /** The store file was modified or damaged (authentication failed). */
    TAMPERED,
    /** The store file is from an unknown format version. */
    UNSUPPORTED_FORMAT,
    /** An I/O error. */
    IO
  }

  private final Problem problem;

  public KeyStoreOpenException(Problem problem, String message) {
    super(message);
    this.problem = problem;
  }

  public KeyStoreOpenException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
