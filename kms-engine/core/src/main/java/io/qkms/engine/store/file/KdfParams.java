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
  /** RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes (about 0.3 s here). */
  public static KdfParams recommended(byte[] salt) {
    return new KdfParams(salt, 64 * 1024, 3, 4);
  }

  public KdfParams {
    if (salt == null || salt.length < 16) {
      throw new IllegalArgumentException("Argon2 salt must be at least 16 bytes");
    }
    if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException("Invalid Argon2 parameters");
    }
    salt = salt.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }
}
