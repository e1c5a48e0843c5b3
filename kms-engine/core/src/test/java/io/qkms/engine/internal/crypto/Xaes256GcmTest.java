package io.qkms.engine.internal.crypto;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * XAES-256-GCM against the test vectors of its specification, C2SP XAES-256-GCM.md
 * (https://c2sp.org/XAES-256-GCM, "Test vectors" and "Accumulated randomized tests").
 */
class Xaes256GcmTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] NONCE = ascii("ABCDEFGHIJKLMNOPQRSTUVWX");
  private static final byte[] PLAINTEXT = ascii("XAES-256-GCM");
  private static final AtomicInteger NONCES = new AtomicInteger();

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] filled(int size, int value) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * A nonce no other test of this JVM uses. The JDK refuses two GCM encryptions in a row under the
   * same key and IV on one thread's cipher, so tests that seal must not repeat a (key, nonce) pair.
   */
  private static byte[] nonce() {
    byte[] n = filled(24, 0x4e);
    int c = NONCES.incrementAndGet();
    n[3] = (byte) (c >>> 8);
    n[15] = (byte) c; // in both halves: key derivation and GCM IV
    return n;
  }

  private static Xaes256Gcm.Key key(int fill) {
    return Xaes256Gcm.newKey(filled(32, fill));
  }

  /** The specification's test vectors: key byte, AAD, and the sealed PLAINTEXT under NONCE. */
  enum C2spVector {
    VECTOR_1(0x01, "", "ce546ef63c9cc60765923609" + "b33a9a1974e96e52daf2fcf7075e2271"),
    VECTOR_2_WITH_AAD(
        0x03,
        "c2sp.org/XAES-256-GCM",
        "986ec1832593df5443a17943" + "7fd083bf3fdb41abd740a21f71eb769d");

    final int keyFill;
    final byte[] aad;
    final String sealedHex;

    C2spVector(int keyFill, String aad, String sealedHex) {
      this.keyFill = keyFill;
      this.aad = ascii(aad);
      this.sealedHex = sealedHex;
    }
  }

  @ParameterizedTest
  @EnumSource(C2spVector.class)
  void seal_c2spVector_matches(C2spVector v) throws Exception {
    byte[] sealed = Xaes256Gcm.seal(key(v.keyFill), NONCE, v.aad, PLAINTEXT);
    assertThat(HEX.formatHex(sealed), equalTo(v.sealedHex));
  }

  @ParameterizedTest
  @EnumSource(C2spVector.class)
  void open_c2spVector_returnsPlaintext(C2spVector v) throws Exception {
    byte[] ct = HEX.parseHex(v.sealedHex);
    assertThat(Xaes256Gcm.open(key(v.keyFill), NONCE, v.aad, ct), equalTo(PLAINTEXT));
  }

  @Test
  void seal_nullAadAndEmptyAad_areTheSame() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x11), nonce, null, PLAINTEXT);
    assertThat(Xaes256Gcm.open(key(0x11), nonce, new byte[0], sealed), equalTo(PLAINTEXT));
  }

  /** C2SP's accumulated test, 10,000 iterations: every output feeds one SHAKE-128 digest. */
  @Test
  void sealAndOpen_c2spAccumulated10000_matchesDigest() throws Exception {
    SHAKEDigest s = new SHAKEDigest(128);
    SHAKEDigest d = new SHAKEDigest(128);
    for (int i = 0; i < 10_000; i++) {
      byte[] k = squeeze(s, 32);
      byte[] nonce = squeeze(s, 24);
      byte[] plaintext = squeeze(s, squeeze(s, 1)[0] & 0xFF);
      byte[] aad = squeeze(s, squeeze(s, 1)[0] & 0xFF);
      Xaes256Gcm.Key key = Xaes256Gcm.newKey(k);
      byte[] ciphertext = Xaes256Gcm.seal(key, nonce, aad, plaintext);
      byte[] opened = Xaes256Gcm.open(key, nonce, aad, ciphertext);
      if (!Arrays.equals(opened, plaintext)) {
        throw new AssertionError("Iteration " + i + " does not round-trip");
      }
      d.update(ciphertext, 0, ciphertext.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0, 32);
    assertThat(
        HEX.formatHex(out),
        equalTo("e6b9edf2df6cec60c8cbd864e2211b597fb69a529160cd040d56c0c210081939"));
  }

  private static byte[] squeeze(SHAKEDigest shake, int n) {
    byte[] b = new byte[n];
    if (n > 0) {
      shake.doOutput(b, 0, n); // keeps squeezing where the last call stopped
    }
    return b;
  }

  @Test
  void open_tamperedCiphertext_failsAuthentication() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x11), nonce, null, PLAINTEXT);
    sealed[0] ^= 0x01;
    assertThrows(AEADBadTagException.class, () -> Xaes256Gcm.open(key(0x11), nonce, null, sealed));
  }

  @Test
  void open_tamperedTag_failsAuthentication() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x11), nonce, null, PLAINTEXT);
    sealed[sealed.length - 1] ^= (byte) 0x80;
    assertThrows(AEADBadTagException.class, () -> Xaes256Gcm.open(key(0x11), nonce, null, sealed));
  }

  /** The first 12 nonce bytes feed the key derivation, the last 12 the GCM IV: both count. */
  @ParameterizedTest
  @ValueSource(ints = {0, 11, 12, 23})
  void open_tamperedNonceByte_failsAuthentication(int index) throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x11), nonce, null, PLAINTEXT);
    byte[] tampered = nonce.clone();
    tampered[index] ^= 0x01;
    assertThrows(
        AEADBadTagException.class, () -> Xaes256Gcm.open(key(0x11), tampered, null, sealed));
  }

  @Test
  void open_differentAad_failsAuthentication() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x13), nonce, ascii("c2sp.org/XAES-256-GCM"), PLAINTEXT);
    assertThrows(
        AEADBadTagException.class,
        () -> Xaes256Gcm.open(key(0x13), nonce, ascii("c2sp.org/XAES-256-GCN"), sealed));
  }

  @Test
  void open_aadMissing_failsAuthentication() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x13), nonce, ascii("c2sp.org/XAES-256-GCM"), PLAINTEXT);
    assertThrows(AEADBadTagException.class, () -> Xaes256Gcm.open(key(0x13), nonce, null, sealed));
  }

  @Test
  void open_otherKey_failsAuthentication() throws Exception {
    byte[] nonce = nonce();
    byte[] sealed = Xaes256Gcm.seal(key(0x11), nonce, null, PLAINTEXT);
    assertThrows(AEADBadTagException.class, () -> Xaes256Gcm.open(key(0x12), nonce, null, sealed));
  }

  @Test
  void open_truncatedBelowTagSize_failsAuthentication() {
    assertThrows(
        AEADBadTagException.class,
        () -> Xaes256Gcm.open(key(0x11), NONCE, null, new byte[Xaes256Gcm.TAG_SIZE_BYTES - 1]));
  }

  @Test
  void seal_splitAad_equalsTheConcatenatedAad() throws Exception {
    byte[] nonce = nonce();
    byte[] header = ascii("header");
    byte[] context = ascii("context");
    byte[] out = new byte[PLAINTEXT.length + Xaes256Gcm.TAG_SIZE_BYTES];
    Xaes256Gcm.seal(
        key(0x11),
        nonce,
        0,
        header,
        0,
        header.length,
        context,
        PLAINTEXT,
        0,
        PLAINTEXT.length,
        out,
        0);
    assertThat(Xaes256Gcm.open(key(0x11), nonce, concat(header, context), out), equalTo(PLAINTEXT));
  }

  @Test
  void seal_destroyedKey_isRefused() {
    byte[] nonce = nonce();
    Xaes256Gcm.Key key = key(0x11);
    key.destroy();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> Xaes256Gcm.seal(key, nonce, null, PLAINTEXT));
    assertThat(e.getMessage(), equalTo("Key destroyed"));
  }

  @Test
  void open_destroyedKey_isRefused() throws Exception {
    byte[] nonce = nonce();
    Xaes256Gcm.Key key = key(0x11);
    byte[] sealed = Xaes256Gcm.seal(key, nonce, null, PLAINTEXT);
    key.destroy();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Xaes256Gcm.open(key, nonce, null, sealed));
    assertThat(e.getMessage(), equalTo("Key destroyed"));
  }

  @Test
  void destroy_marksTheKeyDestroyed() {
    Xaes256Gcm.Key key = key(0x11);
    key.destroy();
    assertThat(key.isDestroyed(), equalTo(true));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 24, 31, 33, 64})
  void newKey_wrongSize_isRejected(int size) {
    assertRefused(() -> Xaes256Gcm.newKey(new byte[size]), "XAES-256-GCM keys are 32 bytes");
  }

  @Test
  void newKey_copiesTheKeyBytes() throws Exception {
    byte[] bytes = filled(32, 0x01);
    Xaes256Gcm.Key key = Xaes256Gcm.newKey(bytes);
    Arrays.fill(bytes, (byte) 0); // the caller zeroes its own copy, as documented
    byte[] ct = HEX.parseHex("ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271");
    assertThat(Xaes256Gcm.open(key, NONCE, new byte[0], ct), equalTo(PLAINTEXT));
  }

  @Test
  void seal_shortNonce_isRejected() {
    InvalidAlgorithmParameterException e =
        assertThrows(
            InvalidAlgorithmParameterException.class,
            () -> Xaes256Gcm.seal(key(0x11), new byte[23], null, PLAINTEXT));
    assertThat(e.getMessage(), equalTo("XAES nonces are 24 bytes"));
  }

  @Test
  void toString_revealsNoKeyMaterial() {
    assertThat(key(0x11).toString(), equalTo("Xaes256Gcm.Key"));
  }
}
