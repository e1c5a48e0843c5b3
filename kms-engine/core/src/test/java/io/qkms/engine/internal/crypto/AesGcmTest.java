package io.qkms.engine.internal.crypto;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.api.Test;

/** The AEAD layer's own policy checks; the Wycheproof test covers the arithmetic. */
class AesGcmTest {
  private static final byte[] PLAINTEXT = "attack at dawn".getBytes(StandardCharsets.US_ASCII);

  private static AesKey key(int sizeBytes) {
    byte[] k = new byte[sizeBytes];
    Arrays.fill(k, (byte) 7);
    return new AesKey(k);
  }

  private static byte[] seal(AesKey key, byte[] iv, int ivOff, int ivLen) throws Exception {
    byte[] out = new byte[PLAINTEXT.length + AesGcm.TAG_SIZE_BYTES];
    AesGcm.seal(key, iv, ivOff, ivLen, null, 0, 0, null, PLAINTEXT, 0, PLAINTEXT.length, out, 0);
    return out;
  }

  @Test
  void seal_ivLongerThan96Bits_isRefused() {
    InvalidAlgorithmParameterException e =
        assertThrows(
            InvalidAlgorithmParameterException.class, () -> seal(key(32), new byte[16], 0, 16));
    assertThat(e.getMessage(), equalTo("QKMS uses 96-bit IVs only"));
  }

  @Test
  void seal_ivShorterThan96Bits_isRefused() {
    InvalidAlgorithmParameterException e =
        assertThrows(
            InvalidAlgorithmParameterException.class, () -> seal(key(32), new byte[8], 0, 8));
    assertThat(e.getMessage(), equalTo("QKMS uses 96-bit IVs only"));
  }

  @Test
  void seal_ivRunningPastTheBuffer_isRefused() {
    InvalidAlgorithmParameterException e =
        assertThrows(
            InvalidAlgorithmParameterException.class, () -> seal(key(32), new byte[20], 10, 12));
    assertThat(e.getMessage(), equalTo("IV too short"));
  }

  @Test
  void seal_aes128Key_isRefused() {
    InvalidKeyException e =
        assertThrows(InvalidKeyException.class, () -> seal(key(16), new byte[12], 0, 12));
    assertThat(e.getMessage(), equalTo("QKMS uses AES-256 only"));
  }

  @Test
  void seal_ivInsideALargerBuffer_usesTheTwelveBytesAtTheOffset() throws Exception {
    byte[] iv = new byte[12];
    Arrays.fill(iv, (byte) 0x5a);
    byte[] buffer = new byte[40];
    System.arraycopy(iv, 0, buffer, 20, 12);
    byte[] sealed = seal(key(32), buffer, 20, 12);
    // Opened with the bare IV (the JDK refuses a second encryption under the same key and IV).
    byte[] opened = AesGcm.open(key(32), iv, 0, 12, null, 0, 0, null, sealed, 0, sealed.length);
    assertThat(opened, equalTo(PLAINTEXT));
  }

  @Test
  void open_ciphertextShorterThanTag_failsAuthentication() {
    AEADBadTagException e =
        assertThrows(
            AEADBadTagException.class,
            () -> AesGcm.open(key(32), new byte[12], 0, 12, null, 0, 0, null, new byte[15], 0, 15));
    assertThat(e.getMessage(), equalTo("Ciphertext shorter than the tag"));
  }

  @Test
  void open_sealedOutput_returnsPlaintext() throws Exception {
    byte[] iv = new byte[12];
    iv[0] = 1;
    byte[] sealed = seal(key(32), iv, 0, 12);
    byte[] opened = AesGcm.open(key(32), iv, 0, 12, null, 0, 0, null, sealed, 0, sealed.length);
    assertThat(opened, equalTo(PLAINTEXT));
  }
}
