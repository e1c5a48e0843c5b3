package io.qkms.engine.internal.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/** Creates JDK ciphers; a missing standard algorithm is a broken JDK, not a caller error. */
final class JdkCiphers {
  private JdkCiphers() {}

  static Cipher newCipher(String transformation) {
    try {
      return Cipher.getInstance(transformation);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The JDK lacks " + transformation, e);
    }
  }
}
