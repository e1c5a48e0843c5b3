package io.qkms.engine;

import static io.qkms.engine.Steps.ALICE;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;

import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.errors.InvalidKeyUsageException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order of ReEncrypt's checks, pinned pairwise: each test breaks two things and expects the
 * error of the one checked first. The order is AWS's: validation, grant tokens, destination lookup,
 * blob parsing, SourceKeyId match, source state, authorization, decryption, destination usage,
 * destination state, DryRun.
 */
class ReEncryptCheckOrderTest extends ReEncryptFixture {
  private static final String UNKNOWN_ID = "0987dcba-09fe-47dc-a5ba-ab0987654321";

  private byte[] tampered;
  private byte[] garbage;

  @BeforeEach
  void damageTheBlob() {
    tampered = blob.clone();
    tampered[CiphertextFormat.HEADER_SIZE_BYTES] ^= 0x01; // header intact, ciphertext changed
    garbage = "this is not a QKMS ciphertext blob at all, just text".getBytes();
  }

  @Test
  void missingDestination_beforeMalformedGrantToken_isValidation() {
    Expect.fails(
        ValidationException.class,
        reEncryptAs(ROOT, reEncrypt(blob, null).grantTokens(List.of("not-a-token"))));
  }

  @Test
  void malformedGrantToken_beforeUnknownDestination_isInvalidGrantToken() {
    Expect.fails(
        InvalidGrantTokenException.class,
        reEncryptAs(ROOT, reEncrypt(blob, UNKNOWN_ID).grantTokens(List.of("not-a-token"))));
  }

  @Test
  void unknownDestination_beforeGarbageBlob_isNotFound() {
    Expect.fails(
        NotFoundException.class,
        "Key 'arn:verenc:111122223333:key/" + UNKNOWN_ID + "' does not exist",
        reEncryptAs(ROOT, reEncrypt(garbage, UNKNOWN_ID)));
  }

  @Test
  void garbageBlob_beforeDisabledDestination_isInvalidCiphertext() {
    Steps.disable(f, destination);
    Expect.invalidCiphertext(reEncryptAs(ROOT, reEncrypt(garbage, destination.keyId())));
  }

  @Test
  void garbageBlob_beforeUnknownSourceKeyId_isInvalidCiphertext() {
    Expect.invalidCiphertext(
        reEncryptAs(ROOT, reEncrypt(garbage, destination.keyId()).sourceKeyId(UNKNOWN_ID)));
  }

  @Test
  void mismatchedSourceKeyId_beforeDisabledSource_isIncorrectKey() {
    Steps.disable(f, source);
    KeyMetadata other = Steps.disable(f, f.symmetricKey());
    Expect.fails(
        IncorrectKeyException.class,
        "The key ID in the request does not identify a CMK that can perform this operation.",
        reEncryptAs(ROOT, toDestination().sourceKeyId(other.keyId())));
  }

  @Test
  void disabledSource_beforeUserWithoutPermission_isDisabled() {
    Steps.disable(f, source);
    Expect.fails(
        DisabledException.class,
        source.arn() + " is disabled.",
        reEncryptAs(ALICE, toDestination()));
  }

  @Test
  void sourcePendingDeletion_beforeUserWithoutPermission_isInvalidState() {
    Steps.scheduleDeletion(f, source, 7);
    Expect.fails(
        KMSInvalidStateException.class,
        source.arn() + " is pending deletion.",
        reEncryptAs(ALICE, toDestination()));
  }

  @Test
  void disabledSource_beforeDisabledDestination_namesTheSource() {
    Steps.disable(f, source);
    Steps.disable(f, destination);
    Expect.fails(
        DisabledException.class,
        source.arn() + " is disabled.",
        reEncryptAs(ROOT, toDestination()));
  }

  @Test
  void noPermission_beforeTamperedBlob_isAccessDenied() {
    Expect.fails(
        AccessDeniedException.class, reEncryptAs(ALICE, reEncrypt(tampered, destination.keyId())));
  }

  @Test
  void noPermissionOnDestination_beforeTamperedBlob_isAccessDenied() {
    // Both permissions are checked before the blob is decrypted.
    Steps.grant(f, source, ALICE, "ReEncryptFrom");
    Expect.fails(
        AccessDeniedException.class, reEncryptAs(ALICE, reEncrypt(tampered, destination.keyId())));
  }

  @Test
  void tamperedBlob_beforeHmacDestination_isInvalidCiphertext() {
    KeyMetadata hmac = f.key("HMAC_256", "GENERATE_VERIFY_MAC");
    Expect.invalidCiphertext(reEncryptAs(ROOT, reEncrypt(tampered, hmac.keyId())));
  }

  @Test
  void hmacDestination_beforeDisabledDestination_isInvalidKeyUsage() {
    KeyMetadata hmac = Steps.disable(f, f.key("HMAC_256", "GENERATE_VERIFY_MAC"));
    Expect.fails(
        InvalidKeyUsageException.class,
        hmac.arn() + " key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.",
        reEncryptAs(ROOT, reEncrypt(blob, hmac.keyId())));
  }

  @Test
  void disabledDestination_beforeDryRun_isDisabled() {
    Steps.disable(f, destination);
    Expect.fails(
        DisabledException.class,
        destination.arn() + " is disabled.",
        reEncryptAs(ROOT, toDestination().dryRun(true)));
  }

  @Test
  void tamperedBlob_beforeDryRun_isInvalidCiphertext() {
    // A dry run makes every check a real call would make, decryption included.
    Expect.invalidCiphertext(
        reEncryptAs(ROOT, reEncrypt(tampered, destination.keyId()).dryRun(true)));
  }
}
