package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialProtector;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.RotationType;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store of realistic size opens and serves every key (timing is measured apart, not here). */
class FileKeyStoreScaleTest {
  static final int KEYS = 10_000;

  @TempDir Path dir;

  @Test
  void storeWithTenThousandKeys_opensWithEveryKeyUsable() {
    List<String> ids;
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      ids = fill(store, KEYS);
    }

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY);
        KmsEngine engine = FileStores.engine(store, FileStores.clock())) {
      StoreState s = store.read(Duration.ofSeconds(5));
      assertThat(s.region(FileStores.US_EAST_1).keys().size(), equalTo(KEYS));
      assertThat(s.revision(), equalTo(1L));
      for (String id : List.of(ids.get(0), ids.get(KEYS / 2), ids.get(KEYS - 1))) {
        byte[] blob = FileStores.encrypt(engine, id, "key " + id);
        assertThat(FileStores.decrypt(engine, blob), equalTo("key " + id));
      }
    }
  }

  /**
   * Writes {@code n} symmetric keys to the home region in one commit, each with its own wrapped
   * material, as the engine would store them; returns their IDs in order.
   */
  static List<String> fill(FileKeyStore store, int n) {
    SecureRandom random = Randomness.current();
    MaterialProtector protector = store.materialProtector();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    String policy = KeyPolicy.defaultPolicyJson(FileStores.ACCOUNT);
    List<KeyRecord> keys = new ArrayList<>(n);
    byte[] secret = new byte[32];
    for (int i = 0; i < n; i++) {
      KeyId id = KeyId.random(false, random);
      MaterialId material = MaterialId.random(random);
      random.nextBytes(secret);
      keys.add(
          KeyRecord.builder()
              .keyId(id)
              .description("key " + i)
              .keySpec(KeySpec.SYMMETRIC_DEFAULT)
              .keyUsage(KeyUsage.ENCRYPT_DECRYPT)
              .state(KeyState.ENABLED)
              .creationDate(now)
              .policy(policy)
              .addMaterial(
                  new MaterialRecord(
                      material,
                      now,
                      RotationType.INITIAL,
                      protector.wrap(id, material, secret),
                      null))
              .build());
    }
    RegionState region = RegionState.of(keys, List.of());
    store.update(Duration.ofSeconds(30), s -> s.withRegion(FileStores.US_EAST_1, region));
    return keys.stream().map(k -> k.keyId().value()).toList();
  }
}
