package io.qkms.engine.internal.store;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static io.qkms.engine.testing.SampleKeyRecords.alias;
import static io.qkms.engine.testing.SampleKeyRecords.enabledKey;
import static io.qkms.engine.testing.SampleKeyRecords.keyId;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.Region;
import io.qkms.engine.testing.SampleKeyRecords;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreStateTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Region US = Region.of("us-east-1");
  private static final Region EU = Region.of("eu-west-1");
  private static final Region AP = Region.of("ap-south-1");
  private static final Instant DELETION = Instant.parse("2026-02-01T00:00:00Z");
  private static final KeyId MRK = KeyId.parse("mrk-1234abcd12ab34cd56ef1234567890ab");

  private static StoreState twoRegions() {
    return StoreState.create(ACCOUNT, List.of(US, EU));
  }

  private static StoreState withKey(StoreState s, Region r, KeyRecord k) {
    return s.withRegion(r, s.region(r).withKey(k));
  }

  private static KeyRecord pendingDeletion(KeyId id) {
    return enabledKey(id).state(KeyState.PENDING_DELETION).deletionDate(DELETION).build();
  }

  @Test
  void create_isEmptyAtRevisionZero() {
    StoreState s = twoRegions();
    assertThat(s.account(), equalTo(ACCOUNT));
    assertThat(s.revision(), equalTo(0L));
    assertThat(s.regions(), contains(US, EU));
    assertThat(s.homeRegion(), equalTo(US));
    assertThat(s.region(US).keys(), empty());
    assertThat(s.region(EU).aliases(), empty());
  }

  @Test
  void create_regionListedTwice_isRejected() {
    assertRefused(
        () -> StoreState.create(ACCOUNT, List.of(US, EU, US)), "Region listed twice: us-east-1");
  }

  @Test
  void create_noRegion_isRejected() {
    assertRefused(
        () -> StoreState.create(ACCOUNT, List.of()), "A key store has at least one region");
  }

  @Test
  void of_regionStatesNotMatchingTheList_isRejected() {
    assertRefused(
        () -> StoreState.of(ACCOUNT, List.of(US, EU), Map.of(US, RegionState.empty()), 3),
        "Region states must match the region list");
  }

  @Test
  void region_unknown_isNull() {
    assertThat(twoRegions().region(AP), nullValue());
  }

  @Test
  void withRegion_unknownRegion_isRejected() {
    assertRefused(
        () -> twoRegions().withRegion(AP, RegionState.empty()),
        "No such region in this store: ap-south-1");
  }

  @Test
  void withNewRegion_existingRegion_isRejected() {
    assertRefused(() -> twoRegions().withNewRegion(EU), "Region already in this store: eu-west-1");
  }

  @Test
  void withNewRegion_appendsAnEmptyRegion() {
    StoreState s = twoRegions().withNewRegion(AP);
    assertThat(s.regions(), contains(US, EU, AP));
    assertThat(s.region(AP).keys(), empty());
    assertThat(s.homeRegion(), equalTo(US));
  }

  @Test
  void withKey_leavesTheOriginalStateUnchanged() {
    StoreState before = twoRegions();
    StoreState after = withKey(before, US, enabledKey(keyId(1)).build());
    assertThat(after.region(US).key(keyId(1)).keyId(), equalTo(keyId(1)));
    assertThat(before.region(US).key(keyId(1)), nullValue());
    assertThat(after.region(EU).key(keyId(1)), nullValue());
  }

  @Test
  void withKey_keepsCreationOrder() {
    StoreState s = twoRegions();
    s = withKey(s, US, enabledKey(keyId(3)).build());
    s = withKey(s, US, enabledKey(keyId(1)).build());
    s = withKey(s, US, enabledKey(keyId(2)).build());
    assertThat(
        s.region(US).keys().stream().map(KeyRecord::keyId).toList(),
        contains(keyId(3), keyId(1), keyId(2)));
  }

  @Test
  void withoutKey_removesTheKeyAndItsAliasesOnly() {
    StoreState s = twoRegions();
    s = withKey(s, US, enabledKey(keyId(1)).build());
    s = withKey(s, US, enabledKey(keyId(2)).build());
    RegionState us =
        s.region(US)
            .withAlias(alias("alias/one", keyId(1)))
            .withAlias(alias("alias/uno", keyId(1)))
            .withAlias(alias("alias/two", keyId(2)));
    RegionState after = us.withoutKey(keyId(1));
    assertThat(after.key(keyId(1)), nullValue());
    assertThat(after.key(keyId(2)).keyId(), equalTo(keyId(2)));
    assertThat(after.aliases().stream().map(a -> a.name().value()).toList(), contains("alias/two"));
  }

  @Test
  void aliases_areListedByName() {
    RegionState r =
        RegionState.empty()
            .withAlias(alias("alias/b", keyId(1)))
            .withAlias(alias("alias/a", keyId(1)))
            .withAlias(alias("alias/c", keyId(1)));
    assertThat(
        r.aliases().stream().map(a -> a.name().value()).toList(),
        contains("alias/a", "alias/b", "alias/c"));
    assertThat(
        r.withoutAlias(AliasName.parse("alias/b")).alias(AliasName.parse("alias/b")), nullValue());
  }

  @Test
  void purgeDeleted_beforeTheDeletionDate_keepsTheKey() {
    StoreState s = withKey(twoRegions(), US, pendingDeletion(keyId(1)));
    StoreState purged = s.purgeDeleted(DELETION.minusNanos(1));
    assertThat(purged, sameInstance(s));
    assertThat(purged.region(US).key(keyId(1)).keyId(), equalTo(keyId(1)));
  }

  @Test
  void purgeDeleted_atTheDeletionDate_dropsTheKeyAndItsAliases() {
    StoreState s = withKey(twoRegions(), US, pendingDeletion(keyId(1)));
    s = withKey(s, US, enabledKey(keyId(2)).build());
    s =
        s.withRegion(
            US,
            s.region(US)
                .withAlias(alias("alias/gone", keyId(1)))
                .withAlias(alias("alias/kept", keyId(2))));
    StoreState purged = s.purgeDeleted(DELETION);
    assertThat(purged.region(US).key(keyId(1)), nullValue());
    assertThat(purged.region(US).key(keyId(2)).keyId(), equalTo(keyId(2)));
    assertThat(
        purged.region(US).aliases().stream().map(a -> a.name().value()).toList(),
        contains("alias/kept"));
  }

  @Test
  void purgeDeleted_eachRegionByItsOwnRecord() {
    KeyRecord primary = usPrimaryMrk();
    KeyRecord replicaPendingDeletion =
        primary.toBuilder()
            .multiRegionRole(KeyRecord.MultiRegionRole.REPLICA)
            .state(KeyState.PENDING_DELETION)
            .deletionDate(DELETION)
            .build();
    StoreState s = withKey(withKey(twoRegions(), US, primary), EU, replicaPendingDeletion);
    StoreState purged = s.purgeDeleted(DELETION);
    assertThat(purged.regionsHolding(MRK), contains(US));
  }

  @Test
  void purgeDeleted_nothingDue_returnsTheSameState() {
    StoreState s = withKey(twoRegions(), US, enabledKey(keyId(1)).build());
    assertThat(s.purgeDeleted(DELETION), sameInstance(s));
  }

  @Test
  void regionsHolding_listsRegionsInStoreOrder() {
    KeyRecord k = usPrimaryMrk();
    StoreState s = withKey(withKey(twoRegions(), EU, k), US, k);
    assertThat(s.regionsHolding(MRK), contains(US, EU));
    assertThat(s.regionsHolding(SampleKeyRecords.keyId(9)), empty());
  }

  @Test
  void withRevision_changesOnlyTheRevision() {
    StoreState s = withKey(twoRegions(), US, enabledKey(keyId(1)).build());
    StoreState r = s.withRevision(7);
    assertThat(r.revision(), equalTo(7L));
    assertThat(r.region(US).key(keyId(1)), sameInstance(s.region(US).key(keyId(1))));
    assertThat(r.regions(), equalTo(s.regions()));
  }

  /** A multi-Region primary key in us-east-1, with the ID {@link #MRK}. */
  private static KeyRecord usPrimaryMrk() {
    return enabledKey(MRK)
        .multiRegionRole(KeyRecord.MultiRegionRole.PRIMARY)
        .primaryRegion(US)
        .build();
  }
}
