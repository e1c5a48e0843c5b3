package io.qkms.pipeline.transform;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.pipeline.worker.WorkerEngine;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A DoFn instance's view of its {@link Selection}: the named keys resolved to key IDs (aliases as
 * they point when first needed), and the creation time of each material met, listed once per key
 * through ListKeyRotations (a material's creation time never changes; a material not yet listed,
 * made by a rotation during the run, lists the key again). Not thread-safe.
 */
final class SelectionCheck {
  private final Selection selection;
  private final WorkerEngine engine;
  private Set<String> keyIds; // resolved on first use
  private final Map<String, Map<String, Instant>> createdByKey = new HashMap<>();

  SelectionCheck(Selection selection, WorkerEngine engine) {
    this.selection = selection;
    this.engine = engine;
  }

  /**
   * Whether the ciphertext is selected. Bytes that are no QKMS ciphertext, and materials the store
   * does not know, are left to ReEncrypt (which dead-letters them), not passed through.
   *
   * @throws io.qkms.engine.api.errors.KmsException when a key cannot be resolved or listed
   */
  boolean selected(byte[] blob) {
    KeyMaterialRef header = engine.ciphertextMaterial(blob);
    if (header == null) {
      return true;
    }
    if (!selection.sourceKeys().isEmpty() && !keyIds().contains(keyIdOf(header.keyArn()))) {
      return false;
    }
    Instant before = selection.materialsCreatedBefore();
    if (before == null) {
      return true;
    }
    Instant created = created(header);
    return created == null || created.isBefore(before);
  }

  private Set<String> keyIds() {
    if (keyIds == null) {
      Set<String> ids = new HashSet<>();
      for (String k : selection.sourceKeys()) {
        ids.add(keyIdOf(engine.currentMaterial(k).keyArn()));
      }
      keyIds = ids;
    }
    return keyIds;
  }

  private Instant created(KeyMaterialRef header) {
    Map<String, Instant> known = createdByKey.get(header.keyArn());
    if (known == null || !known.containsKey(header.keyMaterialId())) {
      known = new HashMap<>();
      try {
        for (RotationsListEntry e : engine.keyMaterials(header.keyArn())) {
          known.put(e.keyMaterialId(), e.rotationDate());
        }
      } catch (NotFoundException e) {
        // A key this store does not hold: ReEncrypt will say so for the record.
      }
      // Remember what the store answered, a material it does not know included (as null).
      known.putIfAbsent(header.keyMaterialId(), null);
      createdByKey.put(header.keyArn(), known);
    }
    return known.get(header.keyMaterialId());
  }

  /** The key ID of a key ARN ({@code ...:key/<id>}): ARNs may differ by region for one key. */
  static String keyIdOf(String keyArn) {
    int slash = keyArn.lastIndexOf('/');
    return slash < 0 ? keyArn : keyArn.substring(slash + 1);
  }
}
