package io.qkms.engine.internal.ops;

import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.KeyMaterials;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialProtector;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.keys.RotationType;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Time-driven changes, applied inside write transactions: keys whose deletion window has passed are
 * removed, and keys due for automatic rotation get a new material (on the primary and every replica
 * of a multi-region key, which share material), as AWS KMS does in the background.
 */
final class Maintenance {
  private Maintenance() {}

  static boolean isDue(StoreState s, Instant now) {
    for (Region r : s.regions()) {
      for (KeyRecord k : s.region(r).keys()) {
        if (k.isDeletedAt(now) || isRotationOwner(k) && k.isRotationDueAt(now)) {
          return true;
        }
      }
    }
    return false;
  }

  static StoreState apply(
      StoreState s, Instant now, MaterialProtector protector, SecureRandom random) {
    StoreState out = s.purgeDeleted(now);
    for (Region r : out.regions()) {
      for (KeyRecord k : List.copyOf(out.region(r).keys())) {
        if (isRotationOwner(k) && k.isRotationDueAt(now)) {
          out = addMaterial(out, k.keyId(), RotationType.AUTOMATIC, now, protector, random);
        }
      }
    }
    return out;
  }

  /** Replicas follow their primary's rotation; only primaries and plain keys own it. */
  private static boolean isRotationOwner(KeyRecord k) {
    return k.multiRegionRole() != KeyRecord.MultiRegionRole.REPLICA;
  }

  /**
   * Adds one new material to the key {@code keyId} in every region that holds it and, for an
   * automatic rotation, moves the next automatic rotation one period on.
   */
  static StoreState addMaterial(
      StoreState s,
      KeyId keyId,
      RotationType type,
      Instant now,
      MaterialProtector protector,
      SecureRandom random) {
    List<Region> regions = s.regionsHolding(keyId);
    if (regions.isEmpty()) {
      return s;
    }
    KeyRecord any = s.region(regions.get(0)).key(keyId);
    KeyMaterials.Generated g = KeyMaterials.generate(any.keySpec(), random);
    MaterialId id = MaterialId.random(random);
    MaterialRecord material;
    try {
      material =
          new MaterialRecord(id, now, type, protector.wrap(keyId, id, g.secret()), g.publicKey());
    } finally {
      Bytes.zero(g.secret());
    }
    StoreState out = s;
    for (Region r : regions) {
      RegionState rs = out.region(r);
      KeyRecord k = rs.key(keyId);
      KeyRecord.Builder b = k.toBuilder().addMaterial(material);
      // As in AWS, an on-demand rotation leaves the automatic rotation schedule as it was.
      if (type == RotationType.AUTOMATIC
          && k.rotationEnabled()
          && k.rotationPeriodInDays() != null) {
        b.nextRotationDate(now.plus(Duration.ofDays(k.rotationPeriodInDays())));
      }
      if (type == RotationType.ON_DEMAND) {
        b.onDemandRotationCount(k.onDemandRotationCount() + 1);
      }
      out = out.withRegion(r, rs.withKey(b.build()));
    }
    return out;
  }
}
