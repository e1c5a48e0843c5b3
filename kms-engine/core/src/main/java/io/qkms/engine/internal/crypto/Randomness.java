package io.qkms.engine.internal.crypto;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * One {@link SecureRandom} per thread: a shared instance serialises every caller on its lock, which
 * shows up at once when many pipeline threads encrypt (Tink made the same change).
 */
public final class Randomness {
  private static final ThreadLocal<SecureRandom> PER_THREAD =
      ThreadLocal.withInitial(Randomness::newInstance);

  private Randomness() {}

  /** This thread's generator. Never share it with another thread. */
  public static SecureRandom current() {
    return PER_THREAD.get();
  }

  private static SecureRandom newInstance() {
    SecureRandom random;
    try {
      // Reads /dev/urandom: never blocks, and is seeded by the kernel.
      random = SecureRandom.getInstance("NativePRNGNonBlocking");
    } catch (NoSuchAlgorithmException e) {
      random = new SecureRandom();
    }
    random.nextBytes(new byte[1]); // force seeding now, not on the first hot call
    return random;
  }
}
