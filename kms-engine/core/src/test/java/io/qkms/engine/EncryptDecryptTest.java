package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.canaryBlob;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.errors.InvalidKeyUsageException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.EncryptResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Encrypt and Decrypt: symmetric and RSA happy paths, size limits, key usage, key mismatch. */
class EncryptDecryptTest {
  private static final String INCORRECT_KEY =
      "The key ID in the request does not identify a CMK that can perform this operation.";

  @RegisterExtension final EngineFixture f = new EngineFixture();
  private final KeyMetadata key = f.symmetricKey();

  private EncryptResponse encrypt(String keyId, byte[] plaintext) {
    return f.engine.encrypt(
        ROOT, EncryptRequest.builder().keyId(keyId).plaintext(plaintext).build());
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 'x');
    return b;
  }

  // ---- Symmetric ----------------------------------------------------------------------------

  @Test
  void encrypt_symmetric_returnsKeyArnAlgorithmAndABlobOfPlaintextPlusOverhead() {
    EncryptResponse r =
        f.engine.encrypt(
            ROOT,
            EncryptRequest.builder()
                .keyId(key.keyId())
                .plaintext(Canary.bytes())
                .encryptionContext(CONTEXT)
                .build());
    assertThat(r.keyId(), equalTo(key.arn()));
    assertThat(r.encryptionAlgorithm(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(
        r.ciphertextBlob().length,
        equalTo(Canary.bytes().length + CiphertextFormat.OVERHEAD_BYTES));
  }

  @Test
  void decrypt_symmetric_returnsPlaintextKeyArnAlgorithmAndMaterial() {
    DecryptResponse r =
        f.engine.decrypt(
            ROOT,
            DecryptRequest.builder()
                .ciphertextBlob(canaryBlob(f, key.keyId()))
                .encryptionContext(CONTEXT)
                .build());
    assertThat(new String(r.plaintext(), StandardCharsets.UTF_8), equalTo(Canary.TEXT));
    assertThat(r.keyId(), equalTo(key.arn()));
    assertThat(r.encryptionAlgorithm(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(r.keyMaterialId(), equalTo(key.currentKeyMaterialId()));
  }

  @Test
  void encrypt_twiceTheSamePlaintext_givesDifferentBlobs() {
    // A random nonce per call: equal plaintexts are not recognisable from their blobs.
    byte[] a = encrypt(key.keyId(), Canary.bytes()).ciphertextBlob();
    byte[] b = encrypt(key.keyId(), Canary.bytes()).ciphertextBlob();
    assertThat(Arrays.equals(a, b), equalTo(false));
  }

  @Test
  void encrypt_4096Bytes_roundTrips() {
    byte[] blob = encrypt(key.keyId(), bytes(4096)).ciphertextBlob();
    byte[] pt =
        f.engine.decrypt(ROOT, DecryptRequest.builder().ciphertextBlob(blob).build()).plaintext();
    assertThat(Arrays.equals(pt, bytes(4096)), equalTo(true));
  }

  @Test
  void encrypt_emptyPlaintext_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member"
            + " must have length greater than or equal to 1",
        () -> encrypt(key.keyId(), new byte[0]));
  }

  @Test
  void encrypt_4097Bytes_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member"
            + " must have length less than or equal to 4096",
        () -> encrypt(key.keyId(), bytes(4097)));
  }

  @Test
  void encrypt_missingPlaintext_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value null at 'plaintext' failed to satisfy constraint:"
            + " Member must not be null",
        () -> encrypt(key.keyId(), null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"HMAC_256, GENERATE_VERIFY_MAC", "ECC_NIST_P256, SIGN_VERIFY"})
  void encrypt_withAnHmacOrSigningKey_isInvalidKeyUsage(String keySpec, String keyUsage) {
    KeyMetadata other = f.key(keySpec, keyUsage);
    Expect.fails(
        InvalidKeyUsageException.class,
        other.arn() + " key usage is " + keyUsage + " which is not valid for Encrypt.",
        () -> encrypt(other.keyId(), Canary.bytes()));
  }

  @Test
  void encrypt_symmetricKeyWithRsaAlgorithm_isInvalidKeyUsage() {
    Expect.fails(
        InvalidKeyUsageException.class,
        key.arn()
            + " key spec is SYMMETRIC_DEFAULT which does not support the encryption algorithm"
            + " RSAES_OAEP_SHA_256.",
        () -> encryptWithAlgorithm(key, "RSAES_OAEP_SHA_256", Canary.bytes()));
  }

  @Test
  void encrypt_disabledKey_isDisabled() {
    Steps.disable(f, key);
    Expect.fails(
        DisabledException.class,
        key.arn() + " is disabled.",
        () -> encrypt(key.keyId(), Canary.bytes()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT", "HMAC_256, GENERATE_VERIFY_MAC"})
  void decrypt_withKeyIdOfAnotherSymmetricOrHmacKey_isIncorrectKey(
      String keySpec, String keyUsage) {
    KeyMetadata other = f.key(keySpec, keyUsage);
    byte[] blob = canaryBlob(f, key.keyId());
    Expect.fails(
        IncorrectKeyException.class,
        INCORRECT_KEY,
        () ->
            f.engine.decrypt(
                ROOT,
                DecryptRequest.builder()
                    .ciphertextBlob(blob)
                    .encryptionContext(CONTEXT)
                    .keyId(other.keyId())
                    .build()));
  }

  @Test
  void decrypt_disabledKey_isDisabled() {
    byte[] blob = canaryBlob(f, key.keyId());
    Steps.disable(f, key);
    Expect.fails(
        DisabledException.class,
        key.arn() + " is disabled.",
        () ->
            f.engine.decrypt(
                ROOT,
                DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(CONTEXT).build()));
  }

  // ---- RSA ----------------------------------------------------------------------------------

  private byte[] encryptWithAlgorithm(KeyMetadata k, String algorithm, byte[] plaintext) {
    return f.engine
        .encrypt(
            ROOT,
            EncryptRequest.builder()
                .keyId(k.keyId())
                .plaintext(plaintext)
                .encryptionAlgorithm(algorithm)
                .build())
        .ciphertextBlob();
  }

  private DecryptResponse rsaDecrypt(KeyMetadata rsa, String algorithm, byte[] blob) {
    return f.engine.decrypt(
        ROOT,
        DecryptRequest.builder()
            .ciphertextBlob(blob)
            .keyId(rsa.keyId())
            .encryptionAlgorithm(algorithm)
            .build());
  }

  @Test
  void rsa2048OaepSha256_encryptsAndDecrypts190Bytes() {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    byte[] plaintext = Arrays.copyOf(Canary.bytes(), 190);
    byte[] blob = encryptWithAlgorithm(rsa, "RSAES_OAEP_SHA_256", plaintext);
    assertThat(blob.length, equalTo(256));
    DecryptResponse r = rsaDecrypt(rsa, "RSAES_OAEP_SHA_256", blob);
    assertThat(Arrays.equals(r.plaintext(), plaintext), equalTo(true));
    assertThat(r.keyId(), equalTo(rsa.arn()));
    assertThat(r.encryptionAlgorithm(), equalTo("RSAES_OAEP_SHA_256"));
    assertThat(r.keyMaterialId(), nullValue());
  }

  @ParameterizedTest(name = "{0}: {1} bytes")
  @CsvSource({"RSAES_OAEP_SHA_256, 190", "RSAES_OAEP_SHA_1, 214"})
  void rsa2048_oneByteOverTheAlgorithmsLimit_isValidationError(String algorithm, int limit) {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    Expect.fails(
        ValidationException.class,
        "Algorithm "
            + algorithm
            + " and key spec RSA_2048 cannot encrypt data larger than "
            + limit
            + " bytes.",
        () -> encryptWithAlgorithm(rsa, algorithm, bytes(limit + 1)));
  }

  @Test
  void rsaDecrypt_withTheOtherOaepDigest_isInvalidCiphertext() {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    byte[] blob = encryptWithAlgorithm(rsa, "RSAES_OAEP_SHA_256", Canary.bytes());
    Expect.invalidCiphertext(() -> rsaDecrypt(rsa, "RSAES_OAEP_SHA_1", blob));
  }

  @Test
  void rsaDecrypt_withoutKeyId_isValidationError() {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    byte[] blob = encryptWithAlgorithm(rsa, "RSAES_OAEP_SHA_256", Canary.bytes());
    Expect.fails(
        ValidationException.class,
        "KeyId is required when EncryptionAlgorithm is RSAES_OAEP_SHA_256.",
        () ->
            f.engine.decrypt(
                ROOT,
                DecryptRequest.builder()
                    .ciphertextBlob(blob)
                    .encryptionAlgorithm("RSAES_OAEP_SHA_256")
                    .build()));
  }

  @Test
  void rsaEncrypt_withEncryptionContext_isValidationError() {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    Expect.fails(
        ValidationException.class,
        "EncryptionContext is supported only with symmetric encryption keys.",
        () ->
            f.engine.encrypt(
                ROOT,
                EncryptRequest.builder()
                    .keyId(rsa.keyId())
                    .plaintext(Canary.bytes())
                    .encryptionAlgorithm("RSAES_OAEP_SHA_256")
                    .encryptionContext(Map.of("a", "b"))
                    .build()));
  }
}
