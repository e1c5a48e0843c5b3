package io.qkms.engine.internal.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The AEAD layer: the JDK's AES-GCM (hardware-accelerated), restricted to what QKMS uses, namely
 * 256-bit keys, 96-bit IVs and 128-bit tags. Anything else is refused rather than decrypted, as
 * Tink does with the Wycheproof vectors. One {@link Cipher} per thread (or per key and thread),
 * initialised per message.
 */
final class AesGcm {
  static final int KEY_SIZE_BYTES = 32;
  static final int IV_SIZE_BYTES = 12;
  static final int TAG_SIZE_BYTES = 16;

  private static final ThreadLocal<Cipher> CIPHER =
      ThreadLocal.withInitial(() -> JdkCiphers.newCipher("AES/GCM/NoPadding"));

  private AesGcm() {}

  /**
   * Encrypts {@code plaintext[ptOff, ptOff+ptLen)} into {@code out} at {@code outOff} as ciphertext
   * followed by the 16-byte tag under the IV {@code iv[ivOff, ivOff+ivLen)}, which must be 12
   * bytes; both AAD parts (either may be null) are authenticated in order.
   *
   * @return the number of bytes written ({@code ptLen + 16})
   */
  static int seal(
      AesKey key,
      byte[] iv,
      int ivOff,
      int ivLen,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] plaintext,
      int ptOff,
      int ptLen,
      byte[] out,
      int outOff)
      throws GeneralSecurityException {
    return seal(
        CIPHER.get(),
        key,
        iv,
        ivOff,
        ivLen,
        aad1,
        aad1Off,
        aad1Len,
        aad2,
        plaintext,
        ptOff,
        ptLen,
        out,
        outOff);
  }

  /**
   * As above on a given cipher. A caller that keeps one cipher per key gets the JDK's key-schedule
   * reuse: initialising a cipher with the key it had last skips the (costly) AES key expansion.
   */
  static int seal(
      Cipher cipher,
      AesKey key,
      byte[] iv,
      int ivOff,
      int ivLen,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] plaintext,
      int ptOff,
      int ptLen,
      byte[] out,
      int outOff)
      throws GeneralSecurityException {
    Cipher c = init(cipher, Cipher.ENCRYPT_MODE, key, iv, ivOff, ivLen);
    if (aad1 != null) {
      c.updateAAD(aad1, aad1Off, aad1Len);
    }
    if (aad2 != null) {
      c.updateAAD(aad2);
    }
    return c.doFinal(plaintext, ptOff, ptLen, out, outOff);
  }

  /**
   * Decrypts and authenticates {@code in[ctOff, ctOff+ctLen)} (ciphertext then tag) under the
   * 12-byte IV {@code iv[ivOff, ivOff+ivLen)}.
   *
   * @throws javax.crypto.AEADBadTagException if authentication fails
   */
  static byte[] open(
      AesKey key,
      byte[] iv,
      int ivOff,
      int ivLen,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] in,
      int ctOff,
      int ctLen)
      throws GeneralSecurityException {
    return open(
        CIPHER.get(), key, iv, ivOff, ivLen, aad1, aad1Off, aad1Len, aad2, in, ctOff, ctLen);
  }

  /** As above on a given cipher (see the cipher-taking {@code seal}). */
  static byte[] open(
      Cipher cipher,
      AesKey key,
      byte[] iv,
      int ivOff,
      int ivLen,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] in,
      int ctOff,
      int ctLen)
      throws GeneralSecurityException {
    if (ctLen < TAG_SIZE_BYTES) {
      throw new AEADBadTagException("Ciphertext shorter than the tag");
    }
    Cipher c = init(cipher, Cipher.DECRYPT_MODE, key, iv, ivOff, ivLen);
    if (aad1 != null) {
      c.updateAAD(aad1, aad1Off, aad1Len);
    }
    if (aad2 != null) {
      c.updateAAD(aad2);
    }
    return c.doFinal(in, ctOff, ctLen);
  }

  /** A new GCM cipher, for callers that keep one per key. */
  static Cipher newCipher() {
    return JdkCiphers.newCipher("AES/GCM/NoPadding");
  }

  private static Cipher init(Cipher c, int mode, AesKey key, byte[] iv, int ivOff, int ivLen)
      throws InvalidKeyException, InvalidAlgorithmParameterException {
    if (key.sizeBytes() != KEY_SIZE_BYTES) {
      throw new InvalidKeyException("QKMS uses AES-256 only");
    }
    // The length is explicit: reading 12 bytes of a longer IV would silently encrypt under another.
    if (ivLen != IV_SIZE_BYTES) {
      throw new InvalidAlgorithmParameterException("QKMS uses 96-bit IVs only");
    }
    if (iv.length - ivOff < IV_SIZE_BYTES) {
      throw new InvalidAlgorithmParameterException("IV too short");
    }
    c.init(mode, key, new GCMParameterSpec(TAG_SIZE_BYTES * 8, iv, ivOff, IV_SIZE_BYTES));
    return c;
  }
}
