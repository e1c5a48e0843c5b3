package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.KEY_ARN_PREFIX;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ROOT_EU;
import static io.qkms.engine.internal.ops.Calls.assertAliasNotFound;
import static io.qkms.engine.internal.ops.Calls.assertDisabled;
import static io.qkms.engine.internal.ops.Calls.assertKeyDoesNotExist;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.assertPendingDeletion;
import static io.qkms.engine.internal.ops.Calls.create;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.externalKey;
import static io.qkms.engine.internal.ops.Calls.keys;
import static io.qkms.engine.internal.ops.Calls.scheduleDeletion;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.errors.InvalidCiphertextException;
import io.qkms.engine.api.errors.InvalidMarkerException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CancelKeyDeletionRequest;
import io.qkms.engine.api.model.CancelKeyDeletionResponse;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListAliasesRequest;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.api.model.ListKeysResponse;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.api.model.ScheduleKeyDeletionResponse;
import io.qkms.engine.api.model.Tag;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CreateKey, DescribeKey, ListKeys and the key states, as AWS KMS documents them. */
class KeyLifecycleTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final String UUID_V4 =
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private KeyMetadata key(String spec, String usage) {
    return f.key(spec, usage);
  }

  // ---- CreateKey and DescribeKey ---------------------------------------------------------------

  @Test
  void createKey_noParameters_isAnEnabledSymmetricEncryptDecryptKey() {
    KeyMetadata m = create(f.engine, ROOT, CreateKeyRequest.builder().build());

    assertThat(m.awsAccountId(), equalTo("111122223333"));
    assertThat(m.keySpec(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(m.customerMasterKeySpec(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(m.keyUsage(), equalTo("ENCRYPT_DECRYPT"));
    assertThat(m.keyState(), equalTo("Enabled"));
    assertThat(m.enabled(), equalTo(true));
    assertThat(m.origin(), equalTo("AWS_KMS"));
    assertThat(m.keyManager(), equalTo("CUSTOMER"));
    assertThat(m.multiRegion(), equalTo(false));
    assertThat(m.multiRegionConfiguration(), nullValue());
    assertThat(m.creationDate(), equalTo(START));
    assertThat(m.description(), equalTo(""));
    assertThat(m.deletionDate(), nullValue());
    assertThat(m.pendingDeletionWindowInDays(), nullValue());
  }

  @Test
  void createKey_symmetric_listsOnlySymmetricDefaultAlgorithm() {
    KeyMetadata m = f.symmetricKey();

    assertThat(m.encryptionAlgorithms(), contains("SYMMETRIC_DEFAULT"));
    assertThat(m.macAlgorithms(), nullValue());
    assertThat(m.signingAlgorithms(), nullValue());
  }

  @Test
  void createKey_keyId_isARandomVersion4Uuid() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();

    assertThat(a.keyId(), matchesPattern(UUID_V4));
    assertThat(b.keyId(), matchesPattern(UUID_V4));
    assertThat(a.keyId(), not(equalTo(b.keyId())));
  }

  @Test
  void createKey_multiRegion_keyIdIsMrkAnd32LowercaseHex() {
    KeyMetadata m = Calls.multiRegionKey(f);

    assertThat(m.keyId(), matchesPattern("^mrk-[0-9a-f]{32}$"));
    assertThat(m.multiRegion(), equalTo(true));
  }

  @Test
  void describeKey_arn_isVerencFormWithoutRegion() {
    KeyMetadata m = f.symmetricKey();

    assertThat(describe(f.engine, ROOT, m.keyId()).arn(), equalTo(KEY_ARN_PREFIX + m.keyId()));
  }

  @Test
  void describeKey_currentKeyMaterialId_is64LowercaseHex() {
    KeyMetadata m = f.symmetricKey();

    assertThat(
        describe(f.engine, ROOT, m.keyId()).currentKeyMaterialId(), matchesPattern(Calls.HEX64));
  }

  @Test
  void describeKey_byArnAndByAlias_describeTheSameKey() {
    KeyMetadata m = f.symmetricKey();
    f.engine.createAlias(ROOT, new CreateAliasRequest("alias/app", m.keyId()));

    assertThat(describe(f.engine, ROOT, m.arn()), equalTo(describe(f.engine, ROOT, m.keyId())));
    assertThat(describe(f.engine, ROOT, "alias/app").keyId(), equalTo(m.keyId()));
    assertThat(
        describe(f.engine, ROOT, "arn:verenc:111122223333:alias/app").keyId(), equalTo(m.keyId()));
  }

  @ParameterizedTest
  @CsvSource({
    "HMAC_224, HMAC_SHA_224",
    "HMAC_256, HMAC_SHA_256",
    "HMAC_384, HMAC_SHA_384",
    "HMAC_512, HMAC_SHA_512"
  })
  void createKey_hmacSpec_isGenerateVerifyMacWithItsMacAlgorithm(String spec, String algorithm) {
    KeyMetadata m = key(spec, "GENERATE_VERIFY_MAC");

    assertThat(m.keySpec(), equalTo(spec));
    assertThat(m.keyUsage(), equalTo("GENERATE_VERIFY_MAC"));
    assertThat(m.macAlgorithms(), contains(algorithm));
    assertThat(m.encryptionAlgorithms(), nullValue());
    assertThat(m.signingAlgorithms(), nullValue());
    assertThat(m.keyState(), equalTo("Enabled"));
  }

  @Test
  void createKey_rsa2048EncryptDecrypt_listsBothOaepAlgorithms() {
    KeyMetadata m = key("RSA_2048", "ENCRYPT_DECRYPT");

    assertThat(m.keyUsage(), equalTo("ENCRYPT_DECRYPT"));
    assertThat(m.encryptionAlgorithms(), contains("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"));
    assertThat(m.signingAlgorithms(), nullValue());
    assertThat(m.macAlgorithms(), nullValue());
  }

  @Test
  void createKey_rsa2048SignVerify_listsPssAndPkcs1SigningAlgorithms() {
    KeyMetadata m = key("RSA_2048", "SIGN_VERIFY");

    assertThat(m.keyUsage(), equalTo("SIGN_VERIFY"));
    assertThat(
        m.signingAlgorithms(),
        contains(
            "RSASSA_PSS_SHA_256",
            "RSASSA_PSS_SHA_384",
            "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384",
            "RSASSA_PKCS1_V1_5_SHA_512"));
    assertThat(m.encryptionAlgorithms(), nullValue());
  }

  @Test
  void createKey_eccP256SignVerify_listsEcdsaSha256() {
    KeyMetadata m = key("ECC_NIST_P256", "SIGN_VERIFY");

    assertThat(m.keySpec(), equalTo("ECC_NIST_P256"));
    assertThat(m.signingAlgorithms(), contains("ECDSA_SHA_256"));
    assertThat(m.encryptionAlgorithms(), nullValue());
    assertThat(m.macAlgorithms(), nullValue());
  }

  @ParameterizedTest
  @CsvSource({
    "SYMMETRIC_DEFAULT, SIGN_VERIFY",
    "SYMMETRIC_DEFAULT, GENERATE_VERIFY_MAC",
    "HMAC_256, ENCRYPT_DECRYPT",
    "RSA_2048, GENERATE_VERIFY_MAC",
    "ECC_NIST_P256, ENCRYPT_DECRYPT"
  })
  void createKey_incompatibleSpecAndUsage_isValidationAndCreatesNothing(String spec, String usage) {
    assertKmsError(
        ValidationException.class,
        "KeyUsage " + usage + " is not compatible with KeySpec " + spec + ".",
        () -> key(spec, usage));
    assertThat(keys(f.engine, ROOT), empty());
  }

  @Test
  void createKey_sm2_isUnsupported() {
    assertKmsError(
        UnsupportedOperationException.class,
        "QKMS does not support KeySpec SM2.",
        () -> create(f.engine, ROOT, CreateKeyRequest.builder().keySpec("SM2").build()));
  }

  @Test
  void createKey_unknownSpec_isValidationWithTheEnumValueSet() {
    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value 'AES_999' at 'keySpec' failed to satisfy constraint:"
            + " Member must satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256,"
            + " ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224,"
            + " HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87,"
            + " ECC_NIST_EDWARDS25519]",
        () -> create(f.engine, ROOT, CreateKeyRequest.builder().keySpec("AES_999").build()));
  }

  @Test
  void createKey_withTags_isUnsupportedAndCreatesNothing() {
    assertKmsError(
        UnsupportedOperationException.class,
        "QKMS does not support key tags.",
        () ->
            create(
                f.engine,
                ROOT,
                CreateKeyRequest.builder().tags(List.of(new Tag("team", "payments"))).build()));
    assertThat(keys(f.engine, ROOT), empty());
  }

  @Test
  void createKey_withDescription_describesIt() {
    KeyMetadata m =
        create(f.engine, ROOT, CreateKeyRequest.builder().description("payments data").build());

    assertThat(describe(f.engine, ROOT, m.keyId()).description(), equalTo("payments data"));
  }

  @Test
  void describeKey_unknownWellFormedId_isNotFoundWithTheArn() {
    String id = "1234abcd-12ab-44cd-96ef-1234567890ab";

    assertKmsError(
        NotFoundException.class,
        "Key '" + KEY_ARN_PREFIX + id + "' does not exist",
        () -> describe(f.engine, ROOT, id));
  }

  @Test
  void describeKey_malformedId_isNotFoundInvalidKeyId() {
    assertKmsError(
        NotFoundException.class,
        "Invalid keyId 'fake-key-id'",
        () -> describe(f.engine, ROOT, "fake-key-id"));
  }

  @Test
  void describeKey_inAnotherRegion_isNotFound() {
    KeyMetadata m = f.symmetricKey();

    assertKeyDoesNotExist(m, () -> describe(f.engine, ROOT_EU, m.keyId()));
  }

  // ---- ListKeys ------------------------------------------------------------------------------

  @Test
  void listKeys_limitAndMarker_pageThroughEveryKeyInCreationOrder() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(f.symmetricKey().keyId());
    }

    List<String> seen = new ArrayList<>();
    List<Boolean> truncated = new ArrayList<>();
    String marker = null;
    do {
      ListKeysResponse page = f.engine.listKeys(ROOT, new ListKeysRequest(2, marker));
      for (KeyListEntry e : page.keys()) {
        assertThat(e.keyArn(), equalTo(KEY_ARN_PREFIX + e.keyId()));
        seen.add(e.keyId());
      }
      truncated.add(page.truncated());
      marker = page.nextMarker();
    } while (marker != null);

    assertThat(seen, equalTo(created));
    assertThat(truncated, contains(true, true, false));
  }

  @Test
  void listKeys_lastPage_hasNoMarkerAndIsNotTruncated() {
    f.symmetricKey();
    f.symmetricKey();

    ListKeysResponse page = f.engine.listKeys(ROOT, new ListKeysRequest(2, null));

    assertThat(page.keys().size(), equalTo(2));
    assertThat(page.truncated(), equalTo(false));
    assertThat(page.nextMarker(), nullValue());
  }

  @Test
  void listKeys_garbageMarker_isInvalidMarker() {
    f.symmetricKey();

    assertKmsError(
        InvalidMarkerException.class,
        "The marker is not valid for this list.",
        () -> f.engine.listKeys(ROOT, new ListKeysRequest(1, "not-a-marker")));
  }

  @Test
  void listKeys_limitZero_isValidation() {
    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member"
            + " must have value greater than or equal to 1",
        () -> f.engine.listKeys(ROOT, new ListKeysRequest(0, null)));
  }

  @Test
  void listKeys_isPerRegion() {
    f.symmetricKey();

    assertThat(keys(f.engine, ROOT_EU), empty());
  }

  // ---- EnableKey / DisableKey ----------------------------------------------------------------

  @Test
  void disableKey_stateIsDisabledAndEncryptIsDisabledException() {
    KeyMetadata m = f.symmetricKey();

    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    KeyMetadata d = describe(f.engine, ROOT, m.keyId());
    assertThat(d.keyState(), equalTo("Disabled"));
    assertThat(d.enabled(), equalTo(false));
    assertDisabled(m, () -> f.encrypt(m.keyId(), "x", null));
  }

  @Test
  void enableKey_afterDisable_encryptsAndDecryptsAgain() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "kept", null);
    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    f.engine.enableKey(ROOT, new EnableKeyRequest(m.keyId()));

    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("Enabled"));
    assertThat(decrypt(f.engine, ROOT, blob, null), equalTo("kept"));
  }

  // ---- ScheduleKeyDeletion / CancelKeyDeletion -----------------------------------------------

  @Test
  void scheduleKeyDeletion_noWindow_defaultsTo30DaysFromTheClock() {
    KeyMetadata m = f.symmetricKey();
    f.clock.advance(Duration.ofHours(5));
    Instant expected = START.plus(Duration.ofHours(5)).plus(Duration.ofDays(30));

    ScheduleKeyDeletionResponse r = scheduleDeletion(f.engine, ROOT, m.keyId(), null);

    assertThat(r.keyId(), equalTo(m.arn()));
    assertThat(r.keyState(), equalTo("PendingDeletion"));
    assertThat(r.pendingWindowInDays(), equalTo(30));
    assertThat(r.deletionDate(), equalTo(expected));
  }

  @Test
  void scheduleKeyDeletion_describeKey_showsPendingDeletionWithDateAndWindow() {
    KeyMetadata m = f.symmetricKey();

    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    KeyMetadata d = describe(f.engine, ROOT, m.keyId());
    assertThat(d.keyState(), equalTo("PendingDeletion"));
    assertThat(d.enabled(), equalTo(false));
    assertThat(d.deletionDate(), equalTo(START.plus(Duration.ofDays(7))));
    assertThat(d.pendingDeletionWindowInDays(), equalTo(7));
  }

  @ParameterizedTest
  @CsvSource({"6, greater than or equal to 7", "31, less than or equal to 30"})
  void scheduleKeyDeletion_windowOutsideTheBounds_isValidationAndLeavesTheKeyEnabled(
      int window, String bound) {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value '"
            + window
            + "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value "
            + bound,
        () -> scheduleDeletion(f.engine, ROOT, m.keyId(), window));
    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("Enabled"));
  }

  @Test
  void scheduleKeyDeletion_windowBounds7And30_areAccepted() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();

    assertThat(
        f.engine
            .scheduleKeyDeletion(ROOT, new ScheduleKeyDeletionRequest(a.keyId(), 7))
            .pendingWindowInDays(),
        equalTo(7));
    assertThat(
        f.engine
            .scheduleKeyDeletion(ROOT, new ScheduleKeyDeletionRequest(b.keyId(), 30))
            .deletionDate(),
        equalTo(START.plus(Duration.ofDays(30))));
  }

  @Test
  void pendingDeletion_encrypt_isInvalidStatePendingDeletion() {
    KeyMetadata m = f.symmetricKey();
    f.encrypt(m.keyId(), "warm the cache", null);

    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertPendingDeletion(m, () -> f.encrypt(m.keyId(), "x", null));
  }

  @Test
  void pendingDeletion_reEncryptFromIt_isInvalidStatePendingDeletion() {
    KeyMetadata m = f.symmetricKey();
    KeyMetadata other = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "x", null);
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertPendingDeletion(
        m, () -> Calls.reEncrypt(f.engine, ROOT, blob, null, null, other.keyId(), null));
  }

  @Test
  void scheduleKeyDeletion_twice_isInvalidStatePendingDeletion() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertPendingDeletion(m, () -> scheduleDeletion(f.engine, ROOT, m.keyId(), 7));
  }

  @Test
  void cancelKeyDeletion_leavesTheKeyDisabledWithoutDeletionDate() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    CancelKeyDeletionResponse r =
        f.engine.cancelKeyDeletion(ROOT, new CancelKeyDeletionRequest(m.keyId()));

    assertThat(r.keyId(), equalTo(m.arn()));
    KeyMetadata d = describe(f.engine, ROOT, m.keyId());
    assertThat(d.keyState(), equalTo("Disabled"));
    assertThat(d.deletionDate(), nullValue());
    assertThat(d.pendingDeletionWindowInDays(), nullValue());
    assertDisabled(m, () -> f.encrypt(m.keyId(), "x", null));
  }

  @Test
  void cancelKeyDeletion_keyStaysPastTheOldDeletionDate() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);
    f.engine.cancelKeyDeletion(ROOT, new CancelKeyDeletionRequest(m.keyId()));

    f.clock.advance(Duration.ofDays(8));

    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("Disabled"));
  }

  @Test
  void cancelKeyDeletion_keyNotPendingDeletion_isInvalidState() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        KMSInvalidStateException.class,
        m.arn() + " is not pending deletion.",
        () -> f.engine.cancelKeyDeletion(ROOT, new CancelKeyDeletionRequest(m.keyId())));
  }

  @Test
  void pendingDeletion_oneSecondBeforeTheDate_keyStillExists() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(7).minusSeconds(1));

    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("PendingDeletion"));
  }

  @Test
  void pendingDeletion_clockReachesTheDate_keyIsNotFound() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(7));

    assertKeyDoesNotExist(m, () -> describe(f.engine, ROOT, m.keyId()));
    assertThat(keys(f.engine, ROOT), empty());
  }

  @Test
  void deletedKey_itsCiphertext_isInvalidCiphertext() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "lost", ctx("k", "v"));
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(7).plusSeconds(1));

    // The blob now names a key the region does not hold: a foreign blob, which reveals nothing.
    assertThrows(
        InvalidCiphertextException.class, () -> decrypt(f.engine, ROOT, blob, ctx("k", "v")));
  }

  @Test
  void deletedKey_itsAliasesAreRemoved() {
    KeyMetadata m = f.symmetricKey();
    f.engine.createAlias(ROOT, new CreateAliasRequest("alias/doomed", m.keyId()));
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(8));

    assertThat(
        f.engine.listAliases(ROOT, new ListAliasesRequest(null, null, null)).aliases(), empty());
    assertAliasNotFound("alias/doomed", () -> encrypt(f.engine, ROOT, "alias/doomed", "x", null));
  }

  @Test
  void deletedKey_itsAliasNameCanBeUsedAgain() {
    KeyMetadata m = f.symmetricKey();
    f.engine.createAlias(ROOT, new CreateAliasRequest("alias/doomed", m.keyId()));
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);
    f.clock.advance(Duration.ofDays(8));
    KeyMetadata successor = f.symmetricKey();

    f.engine.createAlias(ROOT, new CreateAliasRequest("alias/doomed", successor.keyId()));

    assertThat(describe(f.engine, ROOT, "alias/doomed").keyId(), equalTo(successor.keyId()));
  }

  // ---- PendingImport -------------------------------------------------------------------------

  @Test
  void createKey_externalOrigin_isPendingImportWithoutMaterial() {
    KeyMetadata m = externalKey(f);

    assertThat(m.origin(), equalTo("EXTERNAL"));
    assertThat(m.keyState(), equalTo("PendingImport"));
    assertThat(m.enabled(), equalTo(false));
    assertThat(m.currentKeyMaterialId(), nullValue());
  }

  @Test
  void pendingImport_encrypt_isInvalidStatePendingImport() {
    KeyMetadata m = externalKey(f);

    assertKmsError(
        KMSInvalidStateException.class,
        m.arn() + " is pending import.",
        () -> encrypt(f.engine, ROOT, m.keyId(), "x", Map.of()));
  }

  @Test
  void pendingImport_enableKey_isInvalidStatePendingImport() {
    KeyMetadata m = externalKey(f);

    assertKmsError(
        KMSInvalidStateException.class,
        m.arn() + " is pending import.",
        () -> f.engine.enableKey(ROOT, new EnableKeyRequest(m.keyId())));
  }

  @Test
  void scheduleKeyDeletion_pendingImportKey_isPendingDeletion() {
    // AWS's key state table allows ScheduleKeyDeletion on a key still waiting for its material.
    KeyMetadata m = externalKey(f);

    ScheduleKeyDeletionResponse r = scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertThat(r.keyState(), equalTo("PendingDeletion"));
    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("PendingDeletion"));
  }

  @Test
  void cancelKeyDeletion_keyWithoutMaterial_returnsToPendingImport() {
    // Disabled would claim material the key never got; it goes back to waiting for it.
    KeyMetadata m = externalKey(f);
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.engine.cancelKeyDeletion(ROOT, new CancelKeyDeletionRequest(m.keyId()));

    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("PendingImport"));
  }

  @Test
  void pendingImportKey_deletionWindowPassed_isNotFound() {
    KeyMetadata m = externalKey(f);
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(7));

    assertKeyDoesNotExist(m, () -> describe(f.engine, ROOT, m.keyId()));
  }

  @Test
  void createKey_cloudHsmOrigin_isUnsupported() {
    assertKmsError(
        UnsupportedOperationException.class,
        "QKMS does not support Origin AWS_CLOUDHSM (it has no custom key stores).",
        () -> create(f.engine, ROOT, CreateKeyRequest.builder().origin("AWS_CLOUDHSM").build()));
  }
}
