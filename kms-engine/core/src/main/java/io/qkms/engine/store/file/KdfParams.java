package io.qkms.engine.store.file;

/**
 * Argon2id parameters of a passphrase-protected store, kept in its header so they can be raised for
 * new stores without breaking old ones.
 *
 * @param memoryKiB memory cost in KiB
 * @param iterations time cost
 * @param parallelism lanes
 */
public record KdfParams(byte[] salt, int memoryKiB, int iterations, int parallelism) {
  /** 4 GiB, twice RFC 9106's first recommended option. */
  static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;

  static final int MAX_ITERATIONS = 64;
  static final int MAX_PARALLELISM = 64;

  /** RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes (about 0.3 s here). */
  public static KdfParams recommended(byte[] salt) {
    return new KdfParams(salt, 64 * 1024, 3, 4);
  }

  public KdfParams {
    if (salt == null || salt.length < 16) {
      throw new IllegalArgumentException("Argon2 salt must be at least 16 bytes");
    }
    // Upper bounds too: the parameters come from a file header, and a modified header must fail
    // as a damaged store rather than exhaust memory or run for hours.
    if (parallelism < 1
        || parallelism > MAX_PARALLELISM
        || memoryKiB < 8 * parallelism
        || memoryKiB > MAX_MEMORY_KIB
        || iterations < 1
        || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("Invalid Argon2 parameters");
    }
    salt = salt.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }
}
