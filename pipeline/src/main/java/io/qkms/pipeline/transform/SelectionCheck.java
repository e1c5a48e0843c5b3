package io.qkms.pipeline.transform;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.pipeline.worker.WorkerKms;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A DoFn instance's view of its {@link Selection}: the named keys as key IDs (resolved before the
 * run, or else here, aliases as they point when first needed), and the creation time of each
 * material met, listed once per key through ListKeyRotations (a material's creation time never
 * changes; a material not yet listed, made by a rotation during the run, lists the key again), of
 * the embedded engine or a remote KMS alike. Not thread-safe.
 */
final class SelectionCheck {
  private final Selection selection;
  private final WorkerKms kms;
  private Set<String> keyIds; // resolved on first use
  private final Map<String, Map<String, Instant>> createdByKey = new HashMap<>();

  SelectionCheck(Selection selection, WorkerKms kms) {
    this.selection = selection;
    this.kms = kms;
  }

  /**
   * Whether the ciphertext is selected. Bytes that are no QKMS ciphertext, and materials the store
   * does not know, are left to ReEncrypt (which dead-letters them), not passed through.
   *
   * @throws RuntimeException the embedded engine's {@code KmsException} or a remote KMS's {@code
   *     RemoteCallException} when a key cannot be resolved or listed
   * @throws IllegalStateException when a remote KMS cannot describe a key of the selection
   */
  boolean selected(byte[] blob) {
    KeyMaterialRef header = kms.ciphertextMaterial(blob);
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
      List<String> resolved = selection.resolvedSourceKeys();
      if (!resolved.isEmpty()) {
        resolved.forEach(arn -> ids.add(keyIdOf(arn)));
      } else {
        for (String k : selection.sourceKeys()) {
          KeyMaterialRef m = kms.currentMaterial(k);
          if (m == null) { // a remote KMS that could not describe it
            throw new IllegalStateException(
                "The key " + k + " of the selection cannot be described by the KMS endpoint");
          }
          ids.add(keyIdOf(m.keyArn()));
        }
      }
      keyIds = ids;
    }
    return keyIds;
  }

  private Instant created(KeyMaterialRef header) {
    Map<String, Instant> known = createdByKey.get(header.keyArn());
    if (known == null || !known.containsKey(header.keyMaterialId())) {
      // Empty for a key the KMS does not hold: ReEncrypt will say so for the record.
      known = new HashMap<>(kms.materialDates(header.keyArn()));
      // Remember what the store answered, a material it does not know included (as null).
      known.putIfAbsent(header.keyMaterialId(), null);
      createdByKey.put(header.keyArn(), known);
    }
    return known.get(header.keyMaterialId());
  }

  /**
   * The key ID of a key ARN ({@code ...:key/<id>}; a bare key ID is its own): ARNs may differ by
   * region for one key.
   */
  static String keyIdOf(String keyArn) {
    int slash = keyArn.lastIndexOf('/');
    return slash < 0 ? keyArn : keyArn.substring(slash + 1);
  }
}
