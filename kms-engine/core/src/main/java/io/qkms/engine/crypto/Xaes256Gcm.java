package io.qkms.engine.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.security.auth.Destroyable;

/**
 * XAES-256-GCM (C2SP, https://c2sp.org/XAES-256-GCM): AES-256-GCM under a key derived per message
 * from the long-term key and the first 12 bytes of a random 24-byte nonce, with the NIST SP
 * 800-108r1 counter KDF over CMAC-AES-256. A random 192-bit nonce lets one key protect far more
 * than the 2^32 messages that AES-GCM with random 96-bit IVs allows, which is what a key used to
 * re-encrypt billions of fields needs. Built only from the JDK's AES (ECB for the KDF, GCM for the
 * data), so both run on the hardware intrinsics.
 */
public final class Xaes256Gcm {
  public static final int KEY_SIZE_BYTES = 32;
  public static final int NONCE_SIZE_BYTES = 24;
  public static final int TAG_SIZE_BYTES = AesGcm.TAG_SIZE_BYTES;

  private static final ThreadLocal<Cipher> ECB =
      ThreadLocal.withInitial(() -> JdkCiphers.newCipher("AES/ECB/NoPadding"));

  private Xaes256Gcm() {}

  /**
   * A long-term XAES key with its precomputed CMAC subkey K1. Thread-safe; {@link #destroy()} wipes
   * both.
   */
  public static final class Key implements Destroyable {
    private final AesKey aesKey;
    private final byte[] k1;

    private Key(AesKey aesKey, byte[] k1) {
      this.aesKey = aesKey;
      this.k1 = k1;
    }

    @Override
    public void destroy() {
      aesKey.destroy();
      Arrays.fill(k1, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
      return aesKey.isDestroyed();
    }

    @Override
    public String toString() {
      return "Xaes256Gcm.Key";
    }
  }

  /**
   * Prepares a key. Takes a copy of {@code keyBytes}; the caller should zero its own.
   *
   * @throws IllegalArgumentException unless {@code keyBytes} has 32 bytes
   */
  public static Key newKey(byte[] keyBytes) {
    if (keyBytes.length != KEY_SIZE_BYTES) {
      throw new IllegalArgumentException("XAES-256-GCM keys are 32 bytes");
    }
    AesKey aesKey = new AesKey(keyBytes.clone());
    byte[] l = new byte[16];
    try {
      Cipher ecb = ECB.get();
      ecb.init(Cipher.ENCRYPT_MODE, aesKey);
      ecb.doFinal(new byte[16], 0, 16, l, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256 unavailable", e);
    }
    // K1 = L << 1, reduced by the GF(2^128) polynomial when the top bit falls off (CMAC subkey).
    byte[] k1 = new byte[16];
    int carry = 0;
    for (int i = 15; i >= 0; i--) {
      int b = l[i] & 0xFF;
      k1[i] = (byte) ((b << 1) | carry);
      carry = b >>> 7;
    }
    if ((l[0] & 0x80) != 0) {
      k1[15] ^= (byte) 0x87;
    }
    Arrays.fill(l, (byte) 0);
    return new Key(aesKey, k1);
  }

  /**
   * Encrypts {@code plaintext[ptOff, ptOff+ptLen)} into {@code out} at {@code outOff} (ciphertext
   * then 16-byte tag). The associated data is {@code aad1[aad1Off, aad1Off+aad1Len)} followed by
   * {@code aad2}; either may be null.
   *
   * @return the number of bytes written
   */
  public static int seal(
      Key key,
      byte[] nonce,
      int nonceOff,
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
    AesKey derived = deriveKey(key, nonce, nonceOff);
    try {
      return AesGcm.seal(
          derived,
          nonce,
          nonceOff + 12,
          12,
          aad1,
          aad1Off,
          aad1Len,
          aad2,
          plaintext,
          ptOff,
          ptLen,
          out,
          outOff);
    } finally {
      derived.destroy();
    }
  }

  /**
   * Decrypts and authenticates {@code in[ctOff, ctOff+ctLen)}.
   *
   * @throws javax.crypto.AEADBadTagException if the ciphertext, nonce, key or AAD is wrong
   */
  public static byte[] open(
      Key key,
      byte[] nonce,
      int nonceOff,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] in,
      int ctOff,
      int ctLen)
      throws GeneralSecurityException {
    AesKey derived = deriveKey(key, nonce, nonceOff);
    try {
      return AesGcm.open(
          derived, nonce, nonceOff + 12, 12, aad1, aad1Off, aad1Len, aad2, in, ctOff, ctLen);
    } finally {
      derived.destroy();
    }
  }

  /** Convenience form of {@link #seal} for whole arrays; returns ciphertext then tag. */
  public static byte[] seal(Key key, byte[] nonce, byte[] aad, byte[] plaintext)
      throws GeneralSecurityException {
    byte[] out = new byte[plaintext.length + TAG_SIZE_BYTES];
    seal(
        key,
        nonce,
        0,
        aad,
        0,
        aad == null ? 0 : aad.length,
        null,
        plaintext,
        0,
        plaintext.length,
        out,
        0);
    return out;
  }

  /** Convenience form of {@link #open} for whole arrays. */
  public static byte[] open(Key key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws GeneralSecurityException {
    return open(
        key,
        nonce,
        0,
        aad,
        0,
        aad == null ? 0 : aad.length,
        null,
        ciphertext,
        0,
        ciphertext.length);
  }

  private static AesKey deriveKey(Key key, byte[] nonce, int nonceOff)
      throws GeneralSecurityException {
    if (nonce.length - nonceOff < NONCE_SIZE_BYTES) {
      throw new java.security.InvalidAlgorithmParameterException("XAES nonces are 24 bytes");
    }
    // M1 = 0x00 0x01 'X' 0x00 || N[:12]; M2 = 0x00 0x02 'X' 0x00 || N[:12]; each XOR K1.
    byte[] m = new byte[32];
    m[1] = 1;
    m[2] = 'X';
    m[17] = 2;
    m[18] = 'X';
    System.arraycopy(nonce, nonceOff, m, 4, 12);
    System.arraycopy(nonce, nonceOff, m, 20, 12);
    for (int i = 0; i < 16; i++) {
      m[i] ^= key.k1[i];
      m[16 + i] ^= key.k1[i];
    }
    byte[] kx = new byte[32];
    Cipher ecb = ECB.get();
    ecb.init(Cipher.ENCRYPT_MODE, key.aesKey);
    ecb.doFinal(m, 0, 32, kx, 0);
    Arrays.fill(m, (byte) 0);
    return new AesKey(kx);
  }
}
