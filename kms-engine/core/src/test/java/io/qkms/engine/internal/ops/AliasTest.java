package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.BOB;
import static io.qkms.engine.internal.ops.Calls.BOB_ARN;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ROOT_EU;
import static io.qkms.engine.internal.ops.Calls.assertAccessDenied;
import static io.qkms.engine.internal.ops.Calls.assertAliasNotFound;
import static io.qkms.engine.internal.ops.Calls.assertKeyDoesNotExist;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.assertPendingDeletion;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.scheduleDeletion;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.api.errors.AlreadyExistsException;
import io.qkms.engine.api.errors.InvalidAliasNameException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.AliasListEntry;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DeleteAliasRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListAliasesRequest;
import io.qkms.engine.api.model.ListAliasesResponse;
import io.qkms.engine.api.model.UpdateAliasRequest;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases; aliases belong to one region. */
class AliasTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final String APP_ARN = "arn:verenc:111122223333:alias/app";

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private void alias(String name, String keyId) {
    f.engine.createAlias(ROOT, new CreateAliasRequest(name, keyId));
  }

  private List<AliasListEntry> aliases() {
    return f.engine.listAliases(ROOT, new ListAliasesRequest(null, null, null)).aliases();
  }

  /** The key ARN Encrypt reports when given {@code keyId}. */
  private String encryptingKey(String keyId) {
    return f.engine
        .encrypt(ROOT, EncryptRequest.builder().keyId(keyId).plaintext(Calls.utf8("x")).build())
        .keyId();
  }

  @Test
  void createAlias_encryptByAliasNameAndAliasArn_usesTheTargetKey() {
    KeyMetadata m = f.symmetricKey();

    alias("alias/app", m.keyId());

    assertThat(encryptingKey("alias/app"), equalTo(m.arn()));
    assertThat(encryptingKey(APP_ARN), equalTo(m.arn()));
  }

  @Test
  void listAliases_showsNameArnTargetKeyIdAndDates() {
    KeyMetadata m = f.symmetricKey();
    alias("alias/app", m.keyId());

    List<AliasListEntry> all = aliases();

    assertThat(all, contains(new AliasListEntry("alias/app", APP_ARN, m.keyId(), START, START)));
  }

  @Test
  void listAliases_keyIdFilter_listsOnlyThatKeysAliases() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    alias("alias/a1", a.keyId());
    alias("alias/b1", b.keyId());
    alias("alias/a2", a.keyId());

    ListAliasesResponse r = f.engine.listAliases(ROOT, new ListAliasesRequest(a.arn(), null, null));

    assertThat(
        r.aliases().stream().map(AliasListEntry::aliasName).toList(),
        contains("alias/a1", "alias/a2"));
  }

  @Test
  void listAliases_limitAndMarker_pageInNameOrder() {
    KeyMetadata m = f.symmetricKey();
    alias("alias/c", m.keyId());
    alias("alias/a", m.keyId());
    alias("alias/b", m.keyId());

    ListAliasesResponse first = f.engine.listAliases(ROOT, new ListAliasesRequest(null, 2, null));
    ListAliasesResponse second =
        f.engine.listAliases(ROOT, new ListAliasesRequest(null, 2, first.nextMarker()));

    assertThat(
        first.aliases().stream().map(AliasListEntry::aliasName).toList(),
        contains("alias/a", "alias/b"));
    assertThat(first.truncated(), equalTo(true));
    assertThat(
        second.aliases().stream().map(AliasListEntry::aliasName).toList(), contains("alias/c"));
    assertThat(second.truncated(), equalTo(false));
    assertThat(second.nextMarker(), nullValue());
  }

  @Test
  void createAlias_nameTaken_isAlreadyExists() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    alias("alias/app", a.keyId());

    assertKmsError(
        AlreadyExistsException.class,
        "An alias with the name arn:verenc:111122223333:alias/app already exists",
        () -> alias("alias/app", b.keyId()));
    assertThat(describe(f.engine, ROOT, "alias/app").keyId(), equalTo(a.keyId()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "alias/aws/s3 | Alias names that begin with alias/aws/ are reserved.",
        "app | Alias must start with the prefix \"alias/\"."
      })
  void createAlias_reservedOrUnprefixedName_isInvalidAliasNameAndCreatesNothing(
      String name, String message) {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(InvalidAliasNameException.class, message, () -> alias(name, m.keyId()));
    assertThat(aliases(), empty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/", "alias/has space", "alias/semi;colon", "alias/ümlaut"})
  void createAlias_malformedName_isValidationWithThePattern(String name) {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value '"
            + name
            + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular"
            + " expression pattern: ^alias/[a-zA-Z0-9/_-]+$",
        () -> alias(name, m.keyId()));
  }

  @Test
  void createAlias_unknownTargetKey_isNotFound() {
    String id = "1234abcd-12ab-44cd-96ef-1234567890ab";

    assertKmsError(
        NotFoundException.class,
        "Key 'arn:verenc:111122223333:key/" + id + "' does not exist",
        () -> alias("alias/app", id));
  }

  @Test
  void createAlias_targetPendingDeletion_isInvalidState() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertPendingDeletion(m, () -> alias("alias/app", m.keyId()));
  }

  @Test
  void createAlias_byUserWithoutPermission_isAccessDenied() {
    KeyMetadata m = f.symmetricKey();

    assertAccessDenied(
        BOB_ARN,
        "kms:CreateAlias",
        m,
        () -> f.engine.createAlias(BOB, new CreateAliasRequest("alias/app", m.keyId())));
  }

  @Test
  void encrypt_unknownAlias_isNotFoundWithTheAliasArn() {
    assertAliasNotFound("alias/x", () -> encrypt(f.engine, ROOT, "alias/x", "p", null));
  }

  @Test
  void deleteAlias_aliasNoLongerResolves() {
    KeyMetadata m = f.symmetricKey();
    alias("alias/app", m.keyId());
    encryptingKey("alias/app"); // cache the resolution: a local delete must still win at once

    f.engine.deleteAlias(ROOT, new DeleteAliasRequest("alias/app"));

    assertAliasNotFound("alias/app", () -> encrypt(f.engine, ROOT, "alias/app", "p", null));
    assertThat(aliases(), empty());
    assertThat(describe(f.engine, ROOT, m.keyId()).keyState(), equalTo("Enabled"));
  }

  @Test
  void deleteAlias_unknownAlias_isNotFound() {
    assertAliasNotFound(
        "alias/x", () -> f.engine.deleteAlias(ROOT, new DeleteAliasRequest("alias/x")));
  }

  @Test
  void updateAlias_pointsTheAliasToAnotherKeyAtOnce() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    alias("alias/app", a.keyId());
    encryptingKey("alias/app");
    f.clock.advance(Duration.ofMinutes(3));

    f.engine.updateAlias(ROOT, new UpdateAliasRequest("alias/app", b.keyId()));

    assertThat(encryptingKey("alias/app"), equalTo(b.arn()));
    assertThat(
        aliases(),
        contains(
            new AliasListEntry(
                "alias/app", APP_ARN, b.keyId(), START, START.plus(Duration.ofMinutes(3)))));
  }

  @Test
  void updateAlias_toKeyOfAnotherSpec_isValidationAndKeepsTheTarget() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata hmac = f.key("HMAC_256", "GENERATE_VERIFY_MAC");
    alias("alias/app", a.keyId());

    assertKmsError(
        ValidationException.class,
        "An alias can point only to keys of the same key spec and usage: "
            + a.arn()
            + " is SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT, "
            + hmac.arn()
            + " is HMAC_256/GENERATE_VERIFY_MAC.",
        () -> f.engine.updateAlias(ROOT, new UpdateAliasRequest("alias/app", hmac.keyId())));
    assertThat(describe(f.engine, ROOT, "alias/app").keyId(), equalTo(a.keyId()));
  }

  @Test
  void updateAlias_unknownAlias_isNotFound() {
    KeyMetadata m = f.symmetricKey();

    assertAliasNotFound(
        "alias/x", () -> f.engine.updateAlias(ROOT, new UpdateAliasRequest("alias/x", m.keyId())));
  }

  @Test
  void alias_inHomeRegion_isNotVisibleInAnotherRegion() {
    KeyMetadata m = f.symmetricKey();
    alias("alias/app", m.keyId());

    assertAliasNotFound("alias/app", () -> encrypt(f.engine, ROOT_EU, "alias/app", "p", null));
    assertThat(
        f.engine.listAliases(ROOT_EU, new ListAliasesRequest(null, null, null)).aliases(), empty());
  }

  @Test
  void alias_sameNameInTwoRegions_pointsToEachRegionsOwnKey() {
    KeyMetadata us = f.symmetricKey();
    KeyMetadata eu = Calls.create(f.engine, ROOT_EU, CreateKeyRequest.builder().build());
    alias("alias/app", us.keyId());

    f.engine.createAlias(ROOT_EU, new CreateAliasRequest("alias/app", eu.keyId()));

    assertThat(describe(f.engine, ROOT, "alias/app").keyId(), equalTo(us.keyId()));
    assertThat(describe(f.engine, ROOT_EU, "alias/app").keyId(), equalTo(eu.keyId()));
  }

  @Test
  void createAlias_inAnotherRegion_cannotTargetAHomeRegionKey() {
    KeyMetadata us = f.symmetricKey();

    assertKeyDoesNotExist(
        us, () -> f.engine.createAlias(ROOT_EU, new CreateAliasRequest("alias/app", us.keyId())));
  }
}
