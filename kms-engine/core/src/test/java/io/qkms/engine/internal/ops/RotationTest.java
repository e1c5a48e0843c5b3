package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.HEX64;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ROOT_EU;
import static io.qkms.engine.internal.ops.Calls.assertDisabled;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.assertPendingDeletion;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.externalKey;
import static io.qkms.engine.internal.ops.Calls.materialOf;
import static io.qkms.engine.internal.ops.Calls.replicate;
import static io.qkms.engine.internal.ops.Calls.scheduleDeletion;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.api.errors.LimitExceededException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.DisableKeyRotationRequest;
import io.qkms.engine.api.model.EnableKeyRotationRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.ListKeyRotationsResponse;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RotateKeyOnDemand, automatic rotation driven by the clock, GetKeyRotationStatus,
 * ListKeyRotations, Enable/DisableKeyRotation.
 */
class RotationTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Map<String, String> CTX = ctx("purpose", "rotation");

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private String current(String keyId) {
    return describe(f.engine, ROOT, keyId).currentKeyMaterialId();
  }

  private void rotate(String keyId) {
    f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(keyId));
  }

  private List<RotationsListEntry> rotations(String keyId, String include) {
    return f.engine
        .listKeyRotations(ROOT, new ListKeyRotationsRequest(keyId, include, null, null))
        .rotations();
  }

  private void enableRotation(String keyId, Integer rotationPeriodInDays) {
    f.engine.enableKeyRotation(ROOT, new EnableKeyRotationRequest(keyId, rotationPeriodInDays));
  }

  /** The key's spec has no rotation (HMAC, asymmetric): the call is refused and names the spec. */
  private static void assertNoRotationFor(KeyMetadata m, Executable call) {
    assertKmsError(
        UnsupportedOperationException.class,
        m.arn() + " key spec " + m.keySpec() + " does not support key rotation.",
        call);
  }

  private GetKeyRotationStatusResponse status(String keyId) {
    return f.engine.getKeyRotationStatus(ROOT, new GetKeyRotationStatusRequest(keyId));
  }

  // ---- On demand -----------------------------------------------------------------------------

  @Test
  void rotateKeyOnDemand_makesANewCurrentMaterialWith64HexId() {
    KeyMetadata m = f.symmetricKey();
    String before = m.currentKeyMaterialId();

    assertThat(
        f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(m.keyId())).keyId(),
        equalTo(m.arn()));

    String after = current(m.keyId());
    assertThat(after, matchesPattern(HEX64));
    assertThat(after, not(equalTo(before)));
  }

  @Test
  void rotateKeyOnDemand_oldCiphertextStillDecryptsWithItsMaterial() {
    KeyMetadata m = f.symmetricKey();
    byte[] old = f.encrypt(m.keyId(), "before rotation", CTX);

    rotate(m.keyId());

    assertThat(decrypt(f.engine, ROOT, old, CTX), equalTo("before rotation"));
    assertThat(materialOf(f.engine, ROOT, old, CTX), equalTo(m.currentKeyMaterialId()));
  }

  @Test
  void rotateKeyOnDemand_newCiphertextUsesTheNewMaterial() {
    KeyMetadata m = f.symmetricKey();
    f.encrypt(m.keyId(), "cached before rotation", CTX);

    rotate(m.keyId());
    byte[] fresh = f.encrypt(m.keyId(), "after rotation", CTX);

    assertThat(materialOf(f.engine, ROOT, fresh, CTX), equalTo(current(m.keyId())));
  }

  @Test
  void reEncrypt_toTheSameKeyAfterRotation_movesToTheNewestMaterial() {
    KeyMetadata m = f.symmetricKey();
    byte[] old = f.encrypt(m.keyId(), "move me", CTX);
    rotate(m.keyId());

    ReEncryptResponse r = Calls.reEncrypt(f.engine, ROOT, old, m.keyId(), CTX, m.keyId(), CTX);

    assertThat(r.sourceKeyMaterialId(), equalTo(m.currentKeyMaterialId()));
    assertThat(r.destinationKeyMaterialId(), equalTo(current(m.keyId())));
    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), CTX), equalTo("move me"));
  }

  @Test
  void rotateKeyOnDemand_eleventhTime_isLimitExceeded() {
    KeyMetadata m = f.symmetricKey();
    for (int i = 0; i < 10; i++) {
      rotate(m.keyId());
    }
    String tenth = current(m.keyId());

    assertKmsError(
        LimitExceededException.class,
        "The on-demand rotations limit has been reached for the given keyId. No more on-demand"
            + " rotations can be performed for this key: "
            + m.arn(),
        () -> rotate(m.keyId()));
    assertThat(current(m.keyId()), equalTo(tenth));
    assertThat(rotations(m.keyId(), null), hasSize(10));
  }

  @Test
  void rotateKeyOnDemand_automaticRotationsDoNotCountTowardsTheLimit() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    f.clock.advance(Duration.ofDays(90));
    status(m.keyId()); // lets the due automatic rotation happen

    for (int i = 0; i < 10; i++) {
      rotate(m.keyId());
    }

    assertThat(rotations(m.keyId(), null), hasSize(11));
  }

  @ParameterizedTest
  @CsvSource({"HMAC_256, GENERATE_VERIFY_MAC", "RSA_2048, ENCRYPT_DECRYPT"})
  void rotateKeyOnDemand_keySpecWithoutRotation_isUnsupported(String spec, String usage) {
    KeyMetadata m = f.key(spec, usage);

    assertNoRotationFor(m, () -> rotate(m.keyId()));
  }

  @Test
  void rotateKeyOnDemand_externalKey_isUnsupported() {
    KeyMetadata m = externalKey(f);

    assertKmsError(
        UnsupportedOperationException.class,
        m.arn() + " has imported key material, which QKMS cannot rotate.",
        () -> rotate(m.keyId()));
  }

  @Test
  void rotateKeyOnDemand_replica_isUnsupportedAndNamesThePrimaryRegion() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(f.engine, ROOT, m.keyId(), "eu-west-1");

    assertKmsError(
        UnsupportedOperationException.class,
        m.arn() + " is a multi-Region replica key; rotate its primary key in us-east-1.",
        () -> f.engine.rotateKeyOnDemand(ROOT_EU, new RotateKeyOnDemandRequest(m.keyId())));
  }

  @Test
  void rotateKeyOnDemand_disabledKey_isDisabled() {
    KeyMetadata m = f.symmetricKey();
    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    assertDisabled(m, () -> rotate(m.keyId()));
  }

  @Test
  void rotateKeyOnDemand_pendingDeletion_isInvalidState() {
    KeyMetadata m = f.symmetricKey();
    scheduleDeletion(f.engine, ROOT, m.keyId(), 7);

    assertPendingDeletion(m, () -> rotate(m.keyId()));
  }

  // ---- Automatic rotation --------------------------------------------------------------------

  @Test
  void getKeyRotationStatus_newKey_isDisabledWithoutDates() {
    KeyMetadata m = f.symmetricKey();

    GetKeyRotationStatusResponse s = status(m.keyId());

    assertThat(s.keyRotationEnabled(), equalTo(false));
    assertThat(s.keyId(), equalTo(m.arn()));
    assertThat(s.rotationPeriodInDays(), nullValue());
    assertThat(s.nextRotationDate(), nullValue());
  }

  @Test
  void enableKeyRotation_noPeriod_defaultsTo365DaysFromTheClock() {
    KeyMetadata m = f.symmetricKey();
    f.clock.advance(Duration.ofHours(2));

    enableRotation(m.keyId(), null);

    GetKeyRotationStatusResponse s = status(m.keyId());
    assertThat(s.keyRotationEnabled(), equalTo(true));
    assertThat(s.rotationPeriodInDays(), equalTo(365));
    assertThat(
        s.nextRotationDate(), equalTo(START.plus(Duration.ofHours(2)).plus(Duration.ofDays(365))));
  }

  @Test
  void enableKeyRotation_periodBounds90And2560_areAccepted() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();

    enableRotation(a.keyId(), 90);
    enableRotation(b.keyId(), 2560);

    assertThat(status(a.keyId()).nextRotationDate(), equalTo(START.plus(Duration.ofDays(90))));
    assertThat(status(b.keyId()).rotationPeriodInDays(), equalTo(2560));
  }

  @ParameterizedTest
  @CsvSource({"89, greater than or equal to 90", "2561, less than or equal to 2560"})
  void enableKeyRotation_periodOutsideTheBounds_isValidationAndLeavesRotationOff(
      int period, String bound) {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value '"
            + period
            + "' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value "
            + bound,
        () -> enableRotation(m.keyId(), period));
    assertThat(status(m.keyId()).keyRotationEnabled(), equalTo(false));
  }

  @Test
  void enableKeyRotation_hmacKey_isUnsupported() {
    KeyMetadata m = f.key("HMAC_384", "GENERATE_VERIFY_MAC");

    assertNoRotationFor(m, () -> enableRotation(m.keyId(), null));
  }

  @Test
  void enableKeyRotation_disabledKey_isDisabled() {
    KeyMetadata m = f.symmetricKey();
    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    assertDisabled(m, () -> enableRotation(m.keyId(), null));
  }

  @Test
  void automaticRotation_oneSecondBeforeNextRotationDate_doesNothing() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);

    f.clock.advance(Duration.ofDays(90).minusSeconds(1));

    assertThat(current(m.keyId()), equalTo(m.currentKeyMaterialId()));
    assertThat(rotations(m.keyId(), null), empty());
  }

  @Test
  void automaticRotation_clockReachesNextRotationDate_addsAnAutomaticCurrentMaterial() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    Instant due = START.plus(Duration.ofDays(90));

    f.clock.advance(Duration.ofDays(90));

    String now = current(m.keyId());
    assertThat(now, not(equalTo(m.currentKeyMaterialId())));
    assertThat(
        rotations(m.keyId(), null),
        contains(new RotationsListEntry(m.arn(), now, "CURRENT", due, "AUTOMATIC")));
  }

  @Test
  void automaticRotation_movesNextRotationDateOnByOnePeriod() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);

    f.clock.advance(Duration.ofDays(90));

    GetKeyRotationStatusResponse s = status(m.keyId());
    assertThat(s.keyRotationEnabled(), equalTo(true));
    assertThat(s.nextRotationDate(), equalTo(START.plus(Duration.ofDays(180))));
  }

  @Test
  void rotateKeyOnDemand_doesNotMoveTheAutomaticRotationSchedule() {
    // AWS: "On-demand rotations do not change existing automatic rotation schedules."
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    f.clock.advance(Duration.ofDays(10));

    rotate(m.keyId());

    assertThat(status(m.keyId()).nextRotationDate(), equalTo(START.plus(Duration.ofDays(90))));
  }

  @Test
  void automaticRotation_afterAnOnDemandRotation_stillHappensOnTheScheduledDate() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    f.clock.advance(Duration.ofDays(10));
    rotate(m.keyId());

    f.clock.advance(Duration.ofDays(80));

    assertThat(
        rotations(m.keyId(), null).stream().map(RotationsListEntry::rotationType).toList(),
        contains("ON_DEMAND", "AUTOMATIC"));
  }

  @Test
  void automaticRotation_twoPeriods_addTwoAutomaticMaterials() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);

    f.clock.advance(Duration.ofDays(90));
    status(m.keyId());
    f.clock.advance(Duration.ofDays(90));

    List<RotationsListEntry> r = rotations(m.keyId(), null);
    assertThat(
        r.stream().map(RotationsListEntry::rotationType).toList(), everyItem(equalTo("AUTOMATIC")));
    assertThat(
        r.stream().map(RotationsListEntry::rotationDate).toList(),
        contains(START.plus(Duration.ofDays(90)), START.plus(Duration.ofDays(180))));
    assertThat(
        r.stream().map(RotationsListEntry::keyMaterialState).toList(),
        contains("NON_CURRENT", "CURRENT"));
  }

  @Test
  void automaticRotation_reachesTheDataPathWithoutAnyManagementCall() {
    KeyMetadata m = f.symmetricKey();
    byte[] old = f.encrypt(m.keyId(), "old", CTX);
    enableRotation(m.keyId(), 90);

    f.clock.advance(Duration.ofDays(90));
    byte[] fresh = f.encrypt(m.keyId(), "fresh", CTX);

    String freshMaterial = materialOf(f.engine, ROOT, fresh, CTX);
    assertThat(freshMaterial, not(equalTo(m.currentKeyMaterialId())));
    assertThat(freshMaterial, equalTo(current(m.keyId())));
    assertThat(decrypt(f.engine, ROOT, old, CTX), equalTo("old"));
  }

  @Test
  void automaticRotation_runMaintenance_rotatesWithoutAnyCall() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    f.clock.advance(Duration.ofDays(90));

    f.engine.runMaintenance();

    // Read the store directly: any engine call would itself apply the due rotation.
    assertThat(
        f.store
            .read(Duration.ofSeconds(1))
            .region(EngineFixture.US_EAST_1)
            .key(KeyId.parse(m.keyId()))
            .materials(),
        hasSize(2));
  }

  @Test
  void automaticRotation_disabledKey_isNotRotated() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);
    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    f.clock.advance(Duration.ofDays(100));

    assertThat(current(m.keyId()), equalTo(m.currentKeyMaterialId()));
  }

  @Test
  void disableKeyRotation_statusIsOffAndTheOldDateNoLongerRotates() {
    KeyMetadata m = f.symmetricKey();
    enableRotation(m.keyId(), 90);

    f.engine.disableKeyRotation(ROOT, new DisableKeyRotationRequest(m.keyId()));
    f.clock.advance(Duration.ofDays(91));

    GetKeyRotationStatusResponse s = status(m.keyId());
    assertThat(s.keyRotationEnabled(), equalTo(false));
    assertThat(s.nextRotationDate(), nullValue());
    assertThat(current(m.keyId()), equalTo(m.currentKeyMaterialId()));
  }

  // ---- ListKeyRotations ----------------------------------------------------------------------

  @Test
  void listKeyRotations_default_listsOnlyRotationsNotTheInitialMaterial() {
    KeyMetadata m = f.symmetricKey();
    rotate(m.keyId());
    String first = current(m.keyId());
    f.clock.advance(Duration.ofMinutes(1));
    rotate(m.keyId());
    String second = current(m.keyId());

    assertThat(
        rotations(m.keyId(), null),
        contains(
            new RotationsListEntry(m.arn(), first, "NON_CURRENT", START, "ON_DEMAND"),
            new RotationsListEntry(
                m.arn(), second, "CURRENT", START.plus(Duration.ofMinutes(1)), "ON_DEMAND")));
    assertThat(rotations(m.keyId(), "ROTATIONS_ONLY"), equalTo(rotations(m.keyId(), null)));
  }

  @Test
  void listKeyRotations_allKeyMaterial_includesTheInitialMaterialWithoutRotationType() {
    KeyMetadata m = f.symmetricKey();
    rotate(m.keyId());

    List<RotationsListEntry> r = rotations(m.keyId(), "ALL_KEY_MATERIAL");

    assertThat(r, hasSize(2));
    assertThat(
        r.get(0),
        equalTo(
            new RotationsListEntry(m.arn(), m.currentKeyMaterialId(), "NON_CURRENT", START, null)));
    assertThat(r.get(1).keyMaterialState(), equalTo("CURRENT"));
    assertThat(r.get(1).rotationType(), equalTo("ON_DEMAND"));
  }

  @Test
  void listKeyRotations_allKeyMaterialOfUnrotatedKey_isTheCurrentInitialMaterial() {
    KeyMetadata m = f.symmetricKey();

    assertThat(
        rotations(m.keyId(), "ALL_KEY_MATERIAL"),
        contains(
            new RotationsListEntry(m.arn(), m.currentKeyMaterialId(), "CURRENT", START, null)));
    assertThat(rotations(m.keyId(), null), empty());
  }

  @Test
  void listKeyRotations_limitAndMarker_page() {
    KeyMetadata m = f.symmetricKey();
    for (int i = 0; i < 3; i++) {
      rotate(m.keyId());
    }

    ListKeyRotationsResponse first =
        f.engine.listKeyRotations(ROOT, new ListKeyRotationsRequest(m.keyId(), null, 2, null));
    ListKeyRotationsResponse second =
        f.engine.listKeyRotations(
            ROOT, new ListKeyRotationsRequest(m.keyId(), null, 2, first.nextMarker()));

    assertThat(first.rotations(), hasSize(2));
    assertThat(first.truncated(), equalTo(true));
    assertThat(second.rotations(), hasSize(1));
    assertThat(second.truncated(), equalTo(false));
    assertThat(second.rotations().get(0).keyMaterialState(), equalTo("CURRENT"));
  }

  @Test
  void listKeyRotations_unknownIncludeKeyMaterial_isValidation() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "1 validation error detected: Value 'SOME' at 'includeKeyMaterial' failed to satisfy"
            + " constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL,"
            + " ROTATIONS_ONLY]",
        () -> rotations(m.keyId(), "SOME"));
  }

  @Test
  void listKeyRotations_hmacKey_isUnsupported() {
    KeyMetadata m = f.key("HMAC_256", "GENERATE_VERIFY_MAC");

    assertNoRotationFor(m, () -> rotations(m.keyId(), null));
  }
}
