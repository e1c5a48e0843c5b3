package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;

import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.errors.InvalidKeyUsageException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.testing.EngineFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ReEncrypt's checks of the keys themselves: SourceKeyId must be the blob's key
 * (IncorrectKeyException), the destination must be a symmetric encryption key
 * (InvalidKeyUsageException), and both keys must be Enabled (DisabledException,
 * KMSInvalidStateException).
 */
class ReEncryptKeyChecksTest extends ReEncryptFixture {
  private static final String INCORRECT_KEY =
      "The key ID in the request does not identify a CMK that can perform this operation.";

  private <T extends KmsException> void expect(
      Class<T> type, String message, ReEncryptRequest request) {
    Expect.fails(type, message, () -> f.engine.reEncrypt(ROOT, request));
  }

  // ---- IncorrectKeyException ----------------------------------------------------------------

  @Test
  void reEncrypt_sourceKeyIdOfAnotherSymmetricKey_isIncorrectKey() {
    expect(
        IncorrectKeyException.class,
        INCORRECT_KEY,
        toDestination().sourceKeyId(destination.keyId()).build());
  }

  @Test
  void reEncrypt_sourceKeyIdOfAnHmacKey_isIncorrectKeyNotInvalidKeyUsage() {
    // As recorded from AWS: the mismatch is reported before anything about the named key's usage.
    KeyMetadata hmac = f.key("HMAC_224", "GENERATE_VERIFY_MAC");
    expect(
        IncorrectKeyException.class,
        INCORRECT_KEY,
        reEncrypt(blob, hmac.keyId()).sourceKeyId(hmac.keyId()).build());
  }

  // ---- InvalidKeyUsageException -------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"HMAC_256, GENERATE_VERIFY_MAC", "ECC_NIST_P256, SIGN_VERIFY"})
  void reEncrypt_toAKeyWhoseUsageIsNotEncryption_isInvalidKeyUsage(String spec, String usage) {
    KeyMetadata key = f.key(spec, usage);
    expect(
        InvalidKeyUsageException.class,
        key.arn() + " key usage is " + usage + " which is not valid for ReEncrypt.",
        reEncrypt(blob, key.keyId()).build());
  }

  @Test
  void reEncrypt_toRsaEncryptionKey_isInvalidKeyUsage() {
    // QKMS's contract: only symmetric encryption keys take part in ReEncrypt.
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    expect(
        InvalidKeyUsageException.class,
        rsa.arn() + " key spec is RSA_2048 which is not valid for ReEncrypt.",
        reEncrypt(blob, rsa.keyId()).build());
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSAES_OAEP_SHA_256", "SM2PKE"})
  void reEncrypt_asymmetricDestinationAlgorithmForASymmetricKey_isInvalidKeyUsage(
      String algorithm) {
    expect(
        InvalidKeyUsageException.class,
        destination.arn()
            + " key spec is SYMMETRIC_DEFAULT which does not support the encryption algorithm "
            + algorithm
            + ".",
        toDestination().destinationEncryptionAlgorithm(algorithm).build());
  }

  @Test
  void reEncrypt_rsaSourceAlgorithmWithRsaSourceKey_isInvalidKeyUsage() {
    KeyMetadata rsa = f.key("RSA_2048", "ENCRYPT_DECRYPT");
    byte[] rsaBlob =
        f.engine
            .encrypt(
                ROOT,
                EncryptRequest.builder()
                    .keyId(rsa.keyId())
                    .plaintext(Canary.bytes())
                    .encryptionAlgorithm("RSAES_OAEP_SHA_1")
                    .build())
            .ciphertextBlob();
    expect(
        InvalidKeyUsageException.class,
        rsa.arn() + " key spec is RSA_2048 which is not valid for ReEncrypt.",
        ReEncryptRequest.builder()
            .ciphertextBlob(rsaBlob)
            .sourceKeyId(rsa.keyId())
            .sourceEncryptionAlgorithm("RSAES_OAEP_SHA_1")
            .destinationKeyId(destination.keyId())
            .build());
  }

  @Test
  void reEncrypt_rsaSourceAlgorithmWithSymmetricSourceKey_isInvalidKeyUsage() {
    expect(
        InvalidKeyUsageException.class,
        source.arn()
            + " key spec is SYMMETRIC_DEFAULT which does not support the encryption algorithm"
            + " RSAES_OAEP_SHA_1.",
        toDestination()
            .sourceKeyId(source.keyId())
            .sourceEncryptionAlgorithm("RSAES_OAEP_SHA_1")
            .build());
  }

  // ---- DisabledException --------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Side.class)
  void reEncrypt_disabledKey_isDisabled(Side side) {
    Steps.disable(f, key(side));
    expect(DisabledException.class, key(side).arn() + " is disabled.", toDestination().build());
  }

  // ---- KMSInvalidStateException -------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"SOURCE, 7", "DESTINATION, 30"})
  void reEncrypt_keyPendingDeletion_isInvalidState(Side side, int pendingWindowInDays) {
    Steps.scheduleDeletion(f, key(side), pendingWindowInDays);
    expect(
        KMSInvalidStateException.class,
        key(side).arn() + " is pending deletion.",
        toDestination().build());
  }

  @Test
  void reEncrypt_destinationPendingImport_isInvalidState() {
    KeyMetadata external = Steps.pendingImportKey(f);
    expect(
        KMSInvalidStateException.class,
        external.arn() + " is pending import.",
        reEncrypt(blob, external.keyId()).build());
  }

  @Test
  void reEncrypt_dryRunFromAPendingImportSourceKey_isInvalidState() {
    // A key pending import has made no blob; only a dry run that ignores the blob can name it.
    KeyMetadata external = Steps.pendingImportKey(f);
    expect(
        KMSInvalidStateException.class,
        external.arn() + " is pending import.",
        dryRunIgnoringTheCiphertext().sourceKeyId(external.keyId()).build());
  }

  @Test
  void reEncrypt_unavailableDestination_isInvalidState() {
    // Unavailable is set behind the engine's back (as a custom key store would); the engine has
    // not cached the destination yet, so it reads the changed record.
    KeyMetadata unavailable = f.symmetricKey();
    StoreSurgery.editKey(
        f.store,
        EngineFixture.US_EAST_1,
        unavailable.keyId(),
        r -> r.toBuilder().state(KeyState.UNAVAILABLE).build());
    expect(
        KMSInvalidStateException.class,
        unavailable.arn() + " is unavailable.",
        reEncrypt(blob, unavailable.keyId()).build());
  }

  @Test
  void reEncrypt_unavailableSource_isInvalidState() {
    StoreSurgery.editKey(
        f.store,
        EngineFixture.US_EAST_1,
        source.keyId(),
        r -> r.toBuilder().state(KeyState.UNAVAILABLE).build());
    // The fixture's engine cached the source when it encrypted; a fresh one reads the store.
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      Expect.fails(
          KMSInvalidStateException.class,
          source.arn() + " is unavailable.",
          () -> fresh.reEncrypt(ROOT, toDestination().build()));
    }
  }
}
