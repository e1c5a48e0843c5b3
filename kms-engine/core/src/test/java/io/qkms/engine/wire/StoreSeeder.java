package io.qkms.engine.wire;

import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.KeyMaterials;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.store.GrantRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.RotationType;
import io.qkms.engine.store.InMemoryKeyStore;
import io.qkms.engine.testing.EngineFixture;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts keys with chosen IDs straight into an {@link InMemoryKeyStore}, as CreateKey would have left
 * them (default policy, one material wrapped by the store's protector), so tests can use the exact
 * key IDs of the API page, or damaged records that no API call can make.
 */
final class StoreSeeder {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final InMemoryKeyStore store;
  private final Instant now;

  StoreSeeder(EngineFixture fixture) {
    this.store = fixture.store;
    this.now = fixture.clock.instant();
  }

  /**
   * An enabled SYMMETRIC_DEFAULT key with this ID in the home region, with fresh material made as
   * {@code KeyManagement.newMaterial} makes it; returns that material's ID.
   */
  MaterialId symmetricKey(String keyId) {
    KeyId id = KeyId.parse(keyId);
    MaterialRecord material = material(id, KeyMaterials.generate(KeySpec.SYMMETRIC_DEFAULT, rng()));
    insert(symmetricRecord(id, material));
    return material.id();
  }

  /** An enabled symmetric key whose one material is exactly {@code material}. */
  void symmetricKey(String keyId, MaterialRecord material) {
    insert(symmetricRecord(KeyId.parse(keyId), material));
  }

  /** Material holding {@code secret}, wrapped by the store's protector for {@code wrappedFor}. */
  MaterialRecord materialWrappedFor(KeyId wrappedFor, MaterialId id, byte[] secret) {
    byte[] wrapped = store.materialProtector().wrap(wrappedFor, id, secret);
    return new MaterialRecord(id, now, RotationType.INITIAL, wrapped, null);
  }

  /** Adds a grant for the account root to an existing key in the home region. */
  void rootGrant(String keyId, String grantId, List<String> operations) {
    KeyId id = KeyId.parse(keyId);
    GrantRecord grant =
        new GrantRecord(
            grantId,
            null,
            "arn:verenc:" + WireHarness.ACCOUNT + ":root",
            null,
            operations,
            null,
            null,
            now,
            WireHarness.ACCOUNT);
    store.update(
        TIMEOUT,
        s -> {
          RegionState rs = s.region(EngineFixture.US_EAST_1);
          KeyRecord k = rs.key(id);
          List<GrantRecord> grants = new ArrayList<>(k.grants());
          grants.add(grant);
          return s.withRegion(
              EngineFixture.US_EAST_1, rs.withKey(k.toBuilder().grants(grants).build()));
        });
  }

  private MaterialRecord material(KeyId keyId, KeyMaterials.Generated g) {
    try {
      return materialWrappedFor(keyId, MaterialId.random(rng()), g.secret());
    } finally {
      Bytes.zero(g.secret());
    }
  }

  private KeyRecord symmetricRecord(KeyId id, MaterialRecord material) {
    return KeyRecord.builder()
        .keyId(id)
        .keySpec(KeySpec.SYMMETRIC_DEFAULT)
        .keyUsage(KeyUsage.ENCRYPT_DECRYPT)
        .state(KeyState.ENABLED)
        .creationDate(now)
        .policy(KeyPolicy.defaultPolicyJson(EngineFixture.ACCOUNT))
        .addMaterial(material)
        .build();
  }

  private void insert(KeyRecord record) {
    store.update(
        TIMEOUT,
        s ->
            s.withRegion(
                EngineFixture.US_EAST_1, s.region(EngineFixture.US_EAST_1).withKey(record)));
  }

  private static SecureRandom rng() {
    return Randomness.current();
  }
}
