package io.qkms.engine;

import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Changes made behind the engine's back, as another process sharing the store (or damage to it)
 * would make them, and fresh engines that have nothing cached and so must read the store.
 */
final class StoreSurgery {
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

  private StoreSurgery() {}

  /** A second engine over the fixture's store and clock, with a cold cache. */
  static KmsEngine freshEngine(EngineFixture f, Duration storeTimeout) {
    return KmsEngine.builder()
        .keyStore(f.store)
        .clock(f.clock)
        .storeTimeout(storeTimeout)
        .cacheConfig(KeyCacheConfig.builder().ttl(EngineFixture.CACHE_TTL).build())
        .build();
  }

  static KmsEngine freshEngine(EngineFixture f) {
    return freshEngine(f, Duration.ofMillis(500));
  }

  /** Replaces one stored key record with {@code change} applied to it. */
  static void editKey(
      StateStore store, Region region, String keyId, UnaryOperator<KeyRecord> change) {
    KeyId id = KeyId.parse(keyId);
    store.update(
        WRITE_TIMEOUT,
        s ->
            s.withRegion(region, s.region(region).withKey(change.apply(s.region(region).key(id)))));
  }

  /** The stored record of a key. */
  static KeyRecord record(StateStore store, Region region, String keyId) {
    return store.read(WRITE_TIMEOUT).region(region).key(KeyId.parse(keyId));
  }

  /** {@code r} with every wrapped secret's last byte flipped, as bit rot on disk would leave it. */
  static KeyRecord withDamagedMaterials(KeyRecord r) {
    return r.toBuilder()
        .materials(
            r.materials().stream()
                .map(
                    m -> {
                      byte[] damaged = m.wrappedSecret().clone();
                      damaged[damaged.length - 1] ^= 0x01;
                      return new MaterialRecord(
                          m.id(), m.createdAt(), m.rotationType(), damaged, m.publicKey());
                    })
                .toList())
        .build();
  }
}
