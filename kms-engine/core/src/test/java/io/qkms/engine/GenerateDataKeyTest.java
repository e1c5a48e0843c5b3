package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.errors.InvalidKeyUsageException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.GenerateDataKeyRequest;
import io.qkms.engine.api.model.GenerateDataKeyResponse;
import io.qkms.engine.api.model.GenerateDataKeyWithoutPlaintextRequest;
import io.qkms.engine.api.model.GenerateDataKeyWithoutPlaintextResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.testing.EngineFixture;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GenerateDataKey and GenerateDataKeyWithoutPlaintext: sizes, KeySpec rules, usable blobs. */
class GenerateDataKeyTest {
  @RegisterExtension final EngineFixture f = new EngineFixture();
  private final KeyMetadata key = f.symmetricKey();

  private GenerateDataKeyResponse generate(Integer numberOfBytes, String keySpec) {
    return f.engine.generateDataKey(
        ROOT,
        GenerateDataKeyRequest.builder()
            .keyId(key.keyId())
            .numberOfBytes(numberOfBytes)
            .keySpec(keySpec)
            .encryptionContext(CONTEXT)
            .build());
  }

  private byte[] decrypt(byte[] blob) {
    return f.engine
        .decrypt(
            ROOT, DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(CONTEXT).build())
        .plaintext();
  }

  @Test
  void generateDataKey_aes256_gives32BytesThatTheBlobDecryptsTo() {
    GenerateDataKeyResponse r = generate(null, "AES_256");
    assertThat(r.plaintext().length, equalTo(32));
    assertThat(Arrays.equals(decrypt(r.ciphertextBlob()), r.plaintext()), equalTo(true));
    assertThat(r.keyId(), equalTo(key.arn()));
    assertThat(r.keyMaterialId(), equalTo(key.currentKeyMaterialId()));
  }

  @Test
  void generateDataKey_aes128_gives16Bytes() {
    assertThat(generate(null, "AES_128").plaintext().length, equalTo(16));
  }

  @Test
  void generateDataKey_numberOfBytes1_gives1Byte() {
    assertThat(generate(1, null).plaintext().length, equalTo(1));
  }

  @Test
  void generateDataKey_numberOfBytes1024_gives1024Bytes() {
    GenerateDataKeyResponse r = generate(1024, null);
    assertThat(r.plaintext().length, equalTo(1024));
    assertThat(Arrays.equals(decrypt(r.ciphertextBlob()), r.plaintext()), equalTo(true));
  }

  @Test
  void generateDataKey_numberOfBytes0_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:"
            + " Member must have value greater than or equal to 1",
        () -> generate(0, null));
  }

  @Test
  void generateDataKey_numberOfBytes1025_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy"
            + " constraint: Member must have value less than or equal to 1024",
        () -> generate(1025, null));
  }

  @Test
  void generateDataKey_unknownKeySpec_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint:"
            + " Member must satisfy enum value set: [AES_256, AES_128]",
        () -> generate(null, "AES_512"));
  }

  @Test
  void generateDataKey_bothNumberOfBytesAndKeySpec_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "Please specify either number of bytes or key spec.",
        () -> generate(32, "AES_256"));
  }

  @Test
  void generateDataKey_neitherNumberOfBytesNorKeySpec_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "Please specify either number of bytes or key spec.",
        () -> generate(null, null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "HMAC_256, GENERATE_VERIFY_MAC, key usage is GENERATE_VERIFY_MAC",
    "RSA_2048, ENCRYPT_DECRYPT, key spec is RSA_2048"
  })
  void generateDataKey_withAnHmacOrRsaKey_isInvalidKeyUsage(
      String keySpec, String keyUsage, String reason) {
    KeyMetadata other = f.key(keySpec, keyUsage);
    Expect.fails(
        InvalidKeyUsageException.class,
        other.arn() + " " + reason + " which is not valid for GenerateDataKey.",
        () ->
            f.engine.generateDataKey(
                ROOT,
                GenerateDataKeyRequest.builder().keyId(other.keyId()).keySpec("AES_256").build()));
  }

  @Test
  void generateDataKeyWithoutPlaintext_blobDecryptsToAKeyOfTheAskedSize() {
    GenerateDataKeyWithoutPlaintextResponse r =
        f.engine.generateDataKeyWithoutPlaintext(
            ROOT,
            new GenerateDataKeyWithoutPlaintextRequest(
                key.keyId(), CONTEXT, null, "AES_128", null, null));
    assertThat(decrypt(r.ciphertextBlob()).length, equalTo(16));
    assertThat(r.keyId(), equalTo(key.arn()));
    assertThat(r.keyMaterialId(), equalTo(key.currentKeyMaterialId()));
  }

  @Test
  void generateDataKeyWithoutPlaintext_numberOfBytes0_isValidationError() {
    Expect.fails(
        ValidationException.class,
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:"
            + " Member must have value greater than or equal to 1",
        () ->
            f.engine.generateDataKeyWithoutPlaintext(
                ROOT,
                new GenerateDataKeyWithoutPlaintextRequest(
                    key.keyId(), null, 0, null, null, null)));
  }

  @Test
  void generateDataKeyWithoutPlaintext_withHmacKey_isInvalidKeyUsage() {
    KeyMetadata hmac = f.key("HMAC_256", "GENERATE_VERIFY_MAC");
    Expect.fails(
        InvalidKeyUsageException.class,
        hmac.arn()
            + " key usage is GENERATE_VERIFY_MAC which is not valid for"
            + " GenerateDataKeyWithoutPlaintext.",
        () ->
            f.engine.generateDataKeyWithoutPlaintext(
                ROOT,
                new GenerateDataKeyWithoutPlaintextRequest(
                    hmac.keyId(), null, null, "AES_256", null, null)));
  }

  @Test
  void dataKeyBlob_reEncryptsToAnotherKeyAndKeepsTheDataKey() {
    // The pipeline's main input: data keys wrapped by GenerateDataKey, moved to another key.
    KeyMetadata other = f.symmetricKey();
    GenerateDataKeyResponse dk = generate(null, "AES_256");
    ReEncryptResponse r =
        f.engine.reEncrypt(
            ROOT,
            ReEncryptRequest.builder()
                .ciphertextBlob(dk.ciphertextBlob())
                .sourceEncryptionContext(CONTEXT)
                .destinationKeyId(other.keyId())
                .destinationEncryptionContext(CONTEXT)
                .build());
    assertThat(r.keyId(), equalTo(other.arn()));
    assertThat(Arrays.equals(decrypt(r.ciphertextBlob()), dk.plaintext()), equalTo(true));
  }
}
