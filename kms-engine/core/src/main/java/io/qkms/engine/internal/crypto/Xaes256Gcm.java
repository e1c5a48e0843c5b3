package io.qkms.engine.internal.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.security.auth.Destroyable;

/**
 * XAES-256-GCM (C2SP, https://c2sp.org/XAES-256-GCM): AES-256-GCM under a key derived from the
 * long-term key and the first 12 bytes of a 24-byte nonce, with the NIST SP 800-108r1 counter KDF
 * over CMAC-AES-256, and the last 12 nonce bytes as the GCM IV. Derived keys let one long-term key
 * protect far more than the 2^32 messages AES-GCM with random 96-bit IVs allows under a single key,
 * which is what a key used to re-encrypt billions of fields needs. Built only from the JDK's AES
 * (ECB for the KDF, GCM for the data), so both run on the hardware intrinsics.
 *
 * <p>{@link #sealWithFreshNonce} and {@link #open} are the fast path. On JDK 17 the cost of a
 * message is dominated by the pure-Java AES key expansion of each new derived key, so a thread
 * reuses its derived key for up to {@value #MESSAGES_PER_DERIVED_KEY} messages (an epoch): it picks
 * a random 12-byte nonce prefix and a random first 12-byte suffix (the GCM IV), and numbers the
 * epoch's messages from that IV (its low 64 bits plus the message's number, mod 2^64): NIST SP
 * 800-38D's deterministic IV construction, so no two messages of an epoch share an IV, by
 * construction rather than by chance. Two epochs share a derived key only if their random 96-bit
 * prefixes are equal, and even then their IVs clash only if their random 64-bit windows of 2^16
 * overlap. Drawing randomness once per epoch instead of once per message also matters for speed:
 * the JDK's NativePRNG mixes every request through SHA1PRNG under one lock shared by all its
 * instances, which cost about a fifth of a ReEncrypt and serialized threads. Opening remembers the
 * last prefix per key and thread, so consecutive ciphertexts written by one thread, the usual
 * layout of a dataset, reuse the derived key too. Either way the output is plain XAES-256-GCM.
 */
public final class Xaes256Gcm {
  public static final int KEY_SIZE_BYTES = 32;
  public static final int NONCE_SIZE_BYTES = 24;
  public static final int TAG_SIZE_BYTES = AesGcm.TAG_SIZE_BYTES;

  /** How many messages one thread seals under one derived key before it picks a new prefix. */
  public static final int MESSAGES_PER_DERIVED_KEY = 1 << 16;

  private static final int PREFIX_BYTES = 12;
  private static final int IV_HIGH_BYTES = AesGcm.IV_SIZE_BYTES - Long.BYTES;
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int STATES_PER_THREAD = 32;

  /** Per thread, the states of the keys it used last (bounded, least recently used dropped). */
  private static final ThreadLocal<Map<Key, ThreadState>> STATES =
      ThreadLocal.withInitial(
          () ->
              new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, ThreadState> eldest) {
                  if (size() > STATES_PER_THREAD) {
                    eldest.getValue().wipe();
                    eldest.getKey().states.remove(eldest.getValue());
                    return true;
                  }
                  return false;
                }
              });

  private Xaes256Gcm() {}

  /**
   * A long-term XAES key with its precomputed CMAC subkey K1. Thread-safe; {@link #destroy()} wipes
   * both and every derived key any thread holds for it. (The JDK ciphers' own expanded copies of
   * key schedules cannot be wiped from Java.)
   */
  public static final class Key implements Destroyable {
    private final AesKey aesKey;
    private final byte[] k1;
    private final Set<ThreadState> states = ConcurrentHashMap.newKeySet();
    private volatile boolean destroyed;

    private Key(AesKey aesKey, byte[] k1) {
      this.aesKey = aesKey;
      this.k1 = k1;
    }

    @Override
    public void destroy() {
      destroyed = true;
      aesKey.destroy();
      Arrays.fill(k1, (byte) 0);
      for (ThreadState s : states) {
        s.wipe();
      }
      states.clear();
    }

    @Override
    public boolean isDestroyed() {
      return destroyed;
    }

    @Override
    public String toString() {
      return "Xaes256Gcm.Key";
    }
  }

  /** One derived key: the prefix it was derived from, the key, and a GCM cipher set up with it. */
  private static final class Slot {
    final byte[] prefix = new byte[PREFIX_BYTES];
    final Cipher gcm = AesGcm.newCipher();
    AesKey derived;

    boolean holds(byte[] nonce, int off) {
      return derived != null
          && Arrays.equals(prefix, 0, PREFIX_BYTES, nonce, off, off + PREFIX_BYTES);
    }

    void wipe() {
      if (derived != null) {
        derived.destroy();
        derived = null;
      }
      Arrays.fill(prefix, (byte) 0);
    }
  }

  /**
   * What one thread keeps for one key: an ECB cipher keyed for the KDF, a seal and an open slot.
   */
  private static final class ThreadState {
    final Cipher ecb;
    final Slot seal = new Slot();
    final Slot open = new Slot();
    final byte[] firstIv = new byte[AesGcm.IV_SIZE_BYTES];
    int sealed;

    ThreadState(Key key) {
      ecb = JdkCiphers.newCipher("AES/ECB/NoPadding");
      try {
        ecb.init(Cipher.ENCRYPT_MODE, key.aesKey);
      } catch (InvalidKeyException e) {
        throw new IllegalStateException("AES-256 unavailable", e);
      }
    }

    synchronized void wipe() {
      seal.wipe();
      open.wipe();
    }
  }

  private static ThreadState state(Key key) {
    if (key.destroyed) {
      throw new IllegalStateException("Key destroyed");
    }
    Map<Key, ThreadState> mine = STATES.get();
    ThreadState s = mine.get(key);
    if (s == null) {
      s = new ThreadState(key);
      mine.put(key, s);
      key.states.add(s);
    }
    return s;
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
      Cipher ecb = JdkCiphers.newCipher("AES/ECB/NoPadding");
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
   * Encrypts {@code plaintext[ptOff, ptOff+ptLen)} under a nonce it chooses, never used before with
   * this key by this thread (see the class comment; {@code random} seeds each epoch), writing the
   * 24-byte nonce into {@code out} at {@code nonceOff} and the ciphertext and 16-byte tag at {@code
   * outOff}. The associated data is {@code aad1[aad1Off, aad1Off+aad1Len)} (which may include the
   * nonce bytes just written, as a header does) followed by {@code aad2}; either may be null.
   *
   * @return the number of bytes written at {@code outOff}
   */
  public static int sealWithFreshNonce(
      Key key,
      SecureRandom random,
      byte[] out,
      int nonceOff,
      byte[] aad1,
      int aad1Off,
      int aad1Len,
      byte[] aad2,
      byte[] plaintext,
      int ptOff,
      int ptLen,
      int outOff)
      throws GeneralSecurityException {
    ThreadState s = state(key);
    if (s.seal.derived == null || s.sealed >= MESSAGES_PER_DERIVED_KEY) {
      byte[] prefix = new byte[PREFIX_BYTES];
      random.nextBytes(prefix);
      derive(key, s, s.seal, prefix, 0);
      random.nextBytes(s.firstIv);
      s.sealed = 0;
    }
    System.arraycopy(s.seal.prefix, 0, out, nonceOff, PREFIX_BYTES);
    // IV = the epoch's random first IV + the message's number in the epoch (low 64 bits, mod 2^64):
    // distinct for every message of the epoch by construction.
    int ivOff = nonceOff + PREFIX_BYTES;
    System.arraycopy(s.firstIv, 0, out, ivOff, IV_HIGH_BYTES);
    LONG_BE.set(
        out, ivOff + IV_HIGH_BYTES, (long) LONG_BE.get(s.firstIv, IV_HIGH_BYTES) + s.sealed);
    s.sealed++;
    return AesGcm.seal(
        s.seal.gcm,
        s.seal.derived,
        out,
        nonceOff + PREFIX_BYTES,
        AesGcm.IV_SIZE_BYTES,
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
   * Encrypts under the caller's nonce {@code nonce[nonceOff, nonceOff+24)} into {@code out} at
   * {@code outOff} (ciphertext then 16-byte tag). The associated data is {@code aad1[aad1Off,
   * aad1Off+aad1Len)} followed by {@code aad2}; either may be null. For test vectors and rare
   * callers: the key is derived afresh every time.
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
    checkNonce(nonce, nonceOff);
    ThreadState s = state(key);
    AesKey derived = deriveFresh(key, s, nonce, nonceOff);
    try {
      return AesGcm.seal(
          derived,
          nonce,
          nonceOff + PREFIX_BYTES,
          AesGcm.IV_SIZE_BYTES,
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
   * Decrypts and authenticates {@code in[ctOff, ctOff+ctLen)}; the derived key is reused when this
   * thread's last ciphertext under {@code key} had the same nonce prefix.
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
    checkNonce(nonce, nonceOff);
    ThreadState s = state(key);
    if (!s.open.holds(nonce, nonceOff)) {
      derive(key, s, s.open, nonce, nonceOff);
    }
    return AesGcm.open(
        s.open.gcm,
        s.open.derived,
        nonce,
        nonceOff + PREFIX_BYTES,
        AesGcm.IV_SIZE_BYTES,
        aad1,
        aad1Off,
        aad1Len,
        aad2,
        in,
        ctOff,
        ctLen);
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

  private static void checkNonce(byte[] nonce, int nonceOff)
      throws InvalidAlgorithmParameterException {
    if (nonceOff < 0 || nonce.length - nonceOff < NONCE_SIZE_BYTES) {
      throw new InvalidAlgorithmParameterException("XAES nonces are 24 bytes");
    }
  }

  /** Derives the key for {@code prefix[off, off+12)} into {@code slot}, replacing its old one. */
  private static void derive(Key key, ThreadState s, Slot slot, byte[] prefix, int off)
      throws GeneralSecurityException {
    AesKey fresh = deriveFresh(key, s, prefix, off);
    if (slot.derived != null) {
      slot.derived.destroy();
    }
    slot.derived = fresh;
    System.arraycopy(prefix, off, slot.prefix, 0, PREFIX_BYTES);
  }

  /**
   * Kx = AES_K(M1 xor K1) || AES_K(M2 xor K1), where M1 = 0x00 0x01 'X' 0x00 || N[:12] and M2 =
   * 0x00 0x02 'X' 0x00 || N[:12] (the counter KDF with CMAC, which for this single-block input
   * reduces to one AES call per output block).
   */
  private static AesKey deriveFresh(Key key, ThreadState s, byte[] nonce, int nonceOff)
      throws GeneralSecurityException {
    byte[] m = new byte[32];
    m[1] = 1;
    m[2] = 'X';
    m[17] = 2;
    m[18] = 'X';
    System.arraycopy(nonce, nonceOff, m, 4, PREFIX_BYTES);
    System.arraycopy(nonce, nonceOff, m, 20, PREFIX_BYTES);
    for (int i = 0; i < 16; i++) {
      m[i] ^= key.k1[i];
      m[16 + i] ^= key.k1[i];
    }
    if (key.destroyed) {
      throw new IllegalStateException("Key destroyed");
    }
    byte[] kx = new byte[32];
    s.ecb.doFinal(m, 0, 32, kx, 0);
    Arrays.fill(m, (byte) 0);
    return new AesKey(kx);
  }
}
