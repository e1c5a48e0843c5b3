package io.qkms.engine.internal.store;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static io.qkms.engine.testing.SampleKeyRecords.CREATED;
import static io.qkms.engine.testing.SampleKeyRecords.enabledKey;
import static io.qkms.engine.testing.SampleKeyRecords.keyId;
import static io.qkms.engine.testing.SampleKeyRecords.material;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.Origin;
import io.qkms.engine.keys.Region;
import io.qkms.engine.testing.SampleKeyRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyRecordTest {
  private static final KeyId MRK = KeyId.parse("mrk-1234abcd12ab34cd56ef1234567890ab");
  private static final Instant DELETION = CREATED.plus(Duration.ofDays(7));

  @Test
  void build_pendingDeletionWithoutDate_isRejected() {
    KeyRecord.Builder b = enabledKey(keyId(1)).state(KeyState.PENDING_DELETION);
    assertRefused(b::build, "A key pending deletion needs a deletion date");
  }

  @Test
  void build_pendingDeletionWithDate_succeeds() {
    KeyRecord r =
        enabledKey(keyId(1)).state(KeyState.PENDING_DELETION).deletionDate(DELETION).build();
    assertThat(r.deletionDate(), equalTo(DELETION));
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyState.class,
      names = {"ENABLED", "DISABLED", "UNAVAILABLE"})
  void build_noMaterialOutsidePendingImport_isRejected(KeyState state) {
    KeyRecord.Builder b = enabledKey(keyId(1)).materials(List.of()).state(state);
    assertRefused(
        b::build,
        "Only a key pending import (or such a key pending deletion) may have no material");
  }

  @Test
  void build_noMaterialWhilePendingImport_succeeds() {
    KeyRecord r =
        enabledKey(keyId(1))
            .materials(List.of())
            .origin(Origin.EXTERNAL)
            .state(KeyState.PENDING_IMPORT)
            .build();
    assertThat(r.currentMaterial(), nullValue());
    assertThat(r.materials(), equalTo(List.of()));
  }

  @Test
  void build_mrkIdWithoutMultiRegionRole_isRejected() {
    KeyRecord.Builder b = enabledKey(MRK);
    assertRefused(b::build, "Multi-region keys, and only they, have mrk- key IDs");
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyRecord.MultiRegionRole.class,
      names = {"PRIMARY", "REPLICA"})
  void build_uuidIdWithMultiRegionRole_isRejected(KeyRecord.MultiRegionRole role) {
    KeyRecord.Builder b = enabledKey(keyId(1)).multiRegionRole(role);
    assertRefused(b::build, "Multi-region keys, and only they, have mrk- key IDs");
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyRecord.MultiRegionRole.class,
      names = {"PRIMARY", "REPLICA"})
  void build_mrkIdWithMultiRegionRole_succeeds(KeyRecord.MultiRegionRole role) {
    KeyRecord r =
        enabledKey(MRK).multiRegionRole(role).primaryRegion(Region.of("us-east-1")).build();
    assertThat(r.multiRegionRole(), equalTo(role));
  }

  @Test
  void build_nullMultiRegionRole_meansNone() {
    assertThat(
        enabledKey(keyId(1)).multiRegionRole(null).build().multiRegionRole(),
        equalTo(KeyRecord.MultiRegionRole.NONE));
  }

  @Test
  void build_missingPolicy_isRejected() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> enabledKey(keyId(1)).policy(null).build());
    assertThat(e.getMessage(), equalTo("policy"));
  }

  @Test
  void build_missingKeyId_isRejected() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> enabledKey(null).build());
    assertThat(e.getMessage(), equalTo("keyId"));
  }

  @Test
  void build_nullDescription_isEmpty() {
    assertThat(enabledKey(keyId(1)).description(null).build().description(), equalTo(""));
  }

  @Test
  void currentMaterial_isTheLastOne() {
    KeyRecord r = enabledKey(keyId(1)).addMaterial(material(2)).addMaterial(material(3)).build();
    assertThat(r.currentMaterial(), equalTo(r.materials().get(2)));
    assertThat(r.currentMaterial().id(), equalTo(SampleKeyRecords.materialId(3)));
  }

  @Test
  void material_findsByIdOrNull() {
    KeyRecord r = enabledKey(keyId(1)).addMaterial(material(2)).build();
    assertThat(
        r.material(SampleKeyRecords.materialId(1)).id(), equalTo(SampleKeyRecords.materialId(1)));
    assertThat(r.material(SampleKeyRecords.materialId(9)), nullValue());
  }

  @Test
  void isDeletedAt_atTheDeletionDate_isTrue() {
    KeyRecord r =
        enabledKey(keyId(1)).state(KeyState.PENDING_DELETION).deletionDate(DELETION).build();
    assertThat(r.isDeletedAt(DELETION.minusNanos(1)), equalTo(false));
    assertThat(r.isDeletedAt(DELETION), equalTo(true));
  }

  @Test
  void isDeletedAt_enabledKey_isFalse() {
    assertThat(enabledKey(keyId(1)).build().isDeletedAt(DELETION), equalTo(false));
  }

  @Test
  void isRotationDueAt_onlyForEnabledKeysWithRotationOn() {
    Instant next = CREATED.plus(Duration.ofDays(365));
    KeyRecord on = enabledKey(keyId(1)).rotationEnabled(true).nextRotationDate(next).build();
    assertThat(on.isRotationDueAt(next.minusSeconds(1)), equalTo(false));
    assertThat(on.isRotationDueAt(next), equalTo(true));
    assertThat(
        on.toBuilder().state(KeyState.DISABLED).build().isRotationDueAt(next), equalTo(false));
    assertThat(on.toBuilder().rotationEnabled(false).build().isRotationDueAt(next), equalTo(false));
  }

  @Test
  void toBuilder_copiesEveryField() {
    KeyRecord r =
        enabledKey(MRK)
            .description("d")
            .multiRegionRole(KeyRecord.MultiRegionRole.PRIMARY)
            .primaryRegion(Region.of("us-east-1"))
            .rotationEnabled(true)
            .rotationPeriodInDays(90)
            .nextRotationDate(DELETION)
            .onDemandRotationCount(2)
            .state(KeyState.PENDING_DELETION)
            .deletionDate(DELETION)
            .pendingDeletionWindowInDays(7)
            .build();
    KeyRecord copy = r.toBuilder().build();
    assertThat(copy.keyId(), equalTo(r.keyId()));
    assertThat(copy.description(), equalTo("d"));
    assertThat(copy.multiRegionRole(), equalTo(KeyRecord.MultiRegionRole.PRIMARY));
    assertThat(copy.primaryRegion(), equalTo(Region.of("us-east-1")));
    assertThat(copy.rotationPeriodInDays(), equalTo(90));
    assertThat(copy.nextRotationDate(), equalTo(DELETION));
    assertThat(copy.onDemandRotationCount(), equalTo(2));
    assertThat(copy.state(), equalTo(KeyState.PENDING_DELETION));
    assertThat(copy.deletionDate(), equalTo(DELETION));
    assertThat(copy.pendingDeletionWindowInDays(), equalTo(7));
    assertThat(copy.materials(), equalTo(r.materials()));
    assertThat(copy.policy(), sameInstance(r.policy()));
  }

  @Test
  void materials_areImmutable() {
    KeyRecord r = enabledKey(keyId(1)).build();
    assertThrows(UnsupportedOperationException.class, () -> r.materials().add(material(2)));
  }
}
