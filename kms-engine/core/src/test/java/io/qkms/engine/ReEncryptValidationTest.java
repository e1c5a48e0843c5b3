package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;

import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.ReEncryptRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ReEncrypt request validation: AWS's "N validation error(s) detected: ..." messages. */
class ReEncryptValidationTest extends ReEncryptFixture {
  private void expectValidation(String message, ReEncryptRequest request) {
    Expect.fails(ValidationException.class, message, () -> f.engine.reEncrypt(ROOT, request));
  }

  @Test
  void reEncrypt_missingCiphertextBlob_isValidationError() {
    expectValidation(
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy"
            + " constraint: Member must not be null",
        reEncrypt(null, destination.keyId()).build());
  }

  @Test
  void reEncrypt_emptyCiphertextBlob_isValidationError() {
    expectValidation(
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint:"
            + " Member must have length greater than or equal to 1",
        reEncrypt(new byte[0], destination.keyId()).build());
  }

  @Test
  void reEncrypt_blobOf6145Bytes_isValidationErrorWithoutEchoingTheBlob() {
    byte[] big = new byte[6145];
    System.arraycopy(blob, 0, big, 0, blob.length);
    expectValidation(
        "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint:"
            + " Member must have length less than or equal to 6144",
        reEncrypt(big, destination.keyId()).build());
  }

  @Test
  void reEncrypt_blobOf6144Bytes_passesValidationAndIsJudgedAsCiphertext() {
    // The limit is inclusive: 6144 bytes are not a validation error (the blob is simply invalid).
    byte[] big = new byte[6144];
    System.arraycopy(blob, 0, big, 0, blob.length);
    Expect.invalidCiphertext(reEncryptAs(ROOT, reEncrypt(big, destination.keyId())));
  }

  @Test
  void reEncrypt_contextWithAnEmptyKey_isValidationError() {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("tenant", "acme");
    context.put("", "x");
    expectValidation(
        "1 validation error detected: Value at 'destinationEncryptionContext' failed to satisfy"
            + " constraint: Map keys must have length greater than or equal to 1",
        reEncrypt(blob, destination.keyId()).destinationEncryptionContext(context).build());
  }

  @Test
  void reEncrypt_contextWithANullValue_isValidationError() {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("tenant", null);
    expectValidation(
        "1 validation error detected: Value at 'sourceEncryptionContext' failed to satisfy"
            + " constraint: Map keys and values must not be null",
        reEncrypt(blob, destination.keyId()).sourceEncryptionContext(context).build());
  }

  @Test
  void reEncrypt_contextWithAnEmptyKeyBeforeANullValue_reportsTheFirstInItsOrder() {
    Map<String, String> context = new LinkedHashMap<>();
    context.put("", "x");
    context.put("tenant", null);
    expectValidation(
        "1 validation error detected: Value at 'sourceEncryptionContext' failed to satisfy"
            + " constraint: Map keys must have length greater than or equal to 1",
        reEncrypt(blob, destination.keyId()).sourceEncryptionContext(context).build());
  }

  @Test
  void reEncrypt_missingDestinationKeyId_isValidationError() {
    expectValidation(
        "1 validation error detected: Value null at 'destinationKeyId' failed to satisfy"
            + " constraint: Member must not be null",
        reEncrypt(blob, null).build());
  }

  @Test
  void reEncrypt_missingBlobAndDestination_reportsBothErrors() {
    expectValidation(
        "2 validation errors detected: Value null at 'ciphertextBlob' failed to satisfy"
            + " constraint: Member must not be null; Value null at 'destinationKeyId' failed to"
            + " satisfy constraint: Member must not be null",
        reEncrypt(null, null).build());
  }

  @Test
  void reEncrypt_destinationKeyIdOf2049Chars_isValidationError() {
    String id = "a".repeat(2049);
    expectValidation(
        "1 validation error detected: Value '"
            + id
            + "' at 'destinationKeyId' failed to satisfy constraint: Member must have length less"
            + " than or equal to 2048",
        reEncrypt(blob, id).build());
  }

  @Test
  void reEncrypt_sourceKeyIdOf2049Chars_isValidationError() {
    String id = "b".repeat(2049);
    expectValidation(
        "1 validation error detected: Value '"
            + id
            + "' at 'sourceKeyId' failed to satisfy constraint: Member must have length less than"
            + " or equal to 2048",
        toDestination().sourceKeyId(id).build());
  }

  @Test
  void reEncrypt_unknownSourceEncryptionAlgorithm_isValidationError() {
    expectValidation(
        "1 validation error detected: Value 'AES_256_GCM' at 'sourceEncryptionAlgorithm' failed"
            + " to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT,"
            + " RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
        toDestination().sourceEncryptionAlgorithm("AES_256_GCM").build());
  }

  @Test
  void reEncrypt_unknownDestinationEncryptionAlgorithm_isValidationError() {
    expectValidation(
        "1 validation error detected: Value 'symmetric_default' at"
            + " 'destinationEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy"
            + " enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]",
        toDestination().destinationEncryptionAlgorithm("symmetric_default").build());
  }

  @Test
  void reEncrypt_elevenGrantTokens_isValidationError() {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      tokens.add("token-" + i);
    }
    expectValidation(
        "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member"
            + " must have length less than or equal to 10",
        toDestination().grantTokens(tokens).build());
  }

  @Test
  void reEncrypt_unknownDryRunModifier_isValidationError() {
    expectValidation(
        "1 validation error detected: Value '[IGNORE_PLAINTEXT]' at 'dryRunModifiers' failed to"
            + " satisfy constraint: Member must satisfy constraint: [Member must satisfy enum"
            + " value set: [IGNORE_CIPHERTEXT]]",
        toDestination().dryRun(true).dryRunModifiers(List.of("IGNORE_PLAINTEXT")).build());
  }

  @Test
  void reEncrypt_ignoreCiphertextWithoutDryRun_stillRequiresTheBlob() {
    // IGNORE_CIPHERTEXT only lifts the requirement for a dry run.
    expectValidation(
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy"
            + " constraint: Member must not be null",
        reEncrypt(null, destination.keyId()).dryRunModifiers(List.of("IGNORE_CIPHERTEXT")).build());
  }
}
