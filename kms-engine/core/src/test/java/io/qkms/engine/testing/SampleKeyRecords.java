package io.qkms.engine.testing;

import io.qkms.engine.internal.store.AliasRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.RotationType;
import java.time.Instant;

/** Small, valid store records for unit tests of the store and the cache. */
public final class SampleKeyRecords {
  public static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  private SampleKeyRecords() {}

  /** A material whose "wrapped secret" is a placeholder; enough where nothing unwraps it. */
  public static MaterialRecord material(int n) {
    return new MaterialRecord(materialId(n), CREATED, RotationType.INITIAL, new byte[] {1}, null);
  }

  public static MaterialId materialId(int n) {
    return MaterialId.parse(String.format("%064x", n));
  }

  public static KeyId keyId(int n) {
    return KeyId.parse(String.format("00000000-0000-4000-8000-%012x", n));
  }

  /** An enabled SYMMETRIC_DEFAULT key with one material. */
  public static KeyRecord.Builder enabledKey(KeyId id) {
    return KeyRecord.builder()
        .keyId(id)
        .keySpec(KeySpec.SYMMETRIC_DEFAULT)
        .keyUsage(KeyUsage.ENCRYPT_DECRYPT)
        .state(KeyState.ENABLED)
        .creationDate(CREATED)
        .policy("{}")
        .addMaterial(material(1));
  }

  public static AliasRecord alias(String name, KeyId target) {
    return new AliasRecord(AliasName.parse(name), target, CREATED, CREATED);
  }
}
