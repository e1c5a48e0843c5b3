package io.qkms.engine.internal.crypto;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.EncryptionAlgorithm;
import io.qkms.engine.keys.KeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RsaOaepTest {
  private static final byte[] PLAINTEXT = "data key".getBytes(StandardCharsets.US_ASCII);

  private static KeyMaterials.Generated rsa2048;

  @BeforeAll
  static void generate() {
    // One key for the class: RSA generation is the slow part.
    rsa2048 = KeyMaterials.generate(KeySpec.RSA_2048, Randomness.current());
  }

  @ParameterizedTest
  @EnumSource(
      value = EncryptionAlgorithm.class,
      names = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"})
  void decrypt_ofEncrypt_returnsPlaintext(EncryptionAlgorithm algorithm) throws Exception {
    byte[] ct = RsaOaep.encrypt(rsa2048.publicKey(), algorithm, PLAINTEXT);
    assertThat(ct.length, equalTo(256));
    assertThat(RsaOaep.decrypt(rsa2048.secret(), algorithm, ct), equalTo(PLAINTEXT));
  }

  @Test
  void encrypt_isRandomised() throws Exception {
    byte[] a =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, PLAINTEXT);
    byte[] b =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, PLAINTEXT);
    assertThat(a, not(equalTo(b)));
  }

  @Test
  void decrypt_sha1CiphertextAsSha256_isBadCiphertext() throws Exception {
    byte[] ct =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_1, PLAINTEXT);
    assertThrows(
        BadCiphertextException.class,
        () -> RsaOaep.decrypt(rsa2048.secret(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, ct));
  }

  @Test
  void decrypt_sha256CiphertextAsSha1_isBadCiphertext() throws Exception {
    byte[] ct =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, PLAINTEXT);
    assertThrows(
        BadCiphertextException.class,
        () -> RsaOaep.decrypt(rsa2048.secret(), EncryptionAlgorithm.RSAES_OAEP_SHA_1, ct));
  }

  @Test
  void decrypt_flippedByte_isBadCiphertext() throws Exception {
    byte[] ct =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, PLAINTEXT);
    ct[100] ^= 0x01;
    assertThrows(
        BadCiphertextException.class,
        () -> RsaOaep.decrypt(rsa2048.secret(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, ct));
  }

  @Test
  void decrypt_truncated_isBadCiphertext() throws Exception {
    byte[] ct =
        RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, PLAINTEXT);
    byte[] cut = Arrays.copyOf(ct, ct.length - 1);
    assertThrows(
        BadCiphertextException.class,
        () -> RsaOaep.decrypt(rsa2048.secret(), EncryptionAlgorithm.RSAES_OAEP_SHA_256, cut));
  }

  @Test
  void decrypt_zeros_isBadCiphertext() {
    assertThrows(
        BadCiphertextException.class,
        () ->
            RsaOaep.decrypt(rsa2048.secret(), EncryptionAlgorithm.RSAES_OAEP_SHA_1, new byte[256]));
  }

  @Test
  void decrypt_privateKeyNotPkcs8_isBadCiphertext() {
    assertThrows(
        BadCiphertextException.class,
        () -> RsaOaep.decrypt(new byte[40], EncryptionAlgorithm.RSAES_OAEP_SHA_1, new byte[256]));
  }

  /** The limits KeySpec documents for RSA_2048 (190 / 214 bytes) are exactly OAEP's. */
  @ParameterizedTest
  @EnumSource(
      value = EncryptionAlgorithm.class,
      names = {"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"})
  void encrypt_documentedMaximum_fitsAndOneMoreDoesNot(EncryptionAlgorithm algorithm)
      throws Exception {
    int max = KeySpec.RSA_2048.maxRsaPlaintextBytes(algorithm);
    byte[] ct = RsaOaep.encrypt(rsa2048.publicKey(), algorithm, new byte[max]);
    assertThat(RsaOaep.decrypt(rsa2048.secret(), algorithm, ct), equalTo(new byte[max]));
    assertThrows(
        GeneralSecurityException.class,
        () -> RsaOaep.encrypt(rsa2048.publicKey(), algorithm, new byte[max + 1]));
  }

  @Test
  void encrypt_symmetricAlgorithm_isRejected() {
    assertRefused(
        () ->
            RsaOaep.encrypt(rsa2048.publicKey(), EncryptionAlgorithm.SYMMETRIC_DEFAULT, PLAINTEXT),
        "SYMMETRIC_DEFAULT is not an RSA-OAEP algorithm");
  }
}
