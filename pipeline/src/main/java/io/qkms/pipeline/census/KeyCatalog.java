package io.qkms.pipeline.census;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.AliasListEntry;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListAliasesRequest;
import io.qkms.engine.api.model.ListAliasesResponse;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.ListKeyRotationsResponse;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.api.model.ListKeysResponse;
import io.qkms.engine.api.model.RotationsListEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The symmetric encryption keys of a key store as a census needs them: each key's ARN, state and
 * aliases, and every material with its creation time and whether it is current (ListKeys,
 * DescribeKey, ListAliases, ListKeyRotations; read-only).
 */
public final class KeyCatalog {
  /** One material of a key. */
  public record Material(String id, Instant created, boolean current) {}

  /** One key: materials oldest first. */
  public record Key(
      String keyId, String arn, String state, List<String> aliases, List<Material> materials) {}

  private final Map<String, Key> byKeyId;

  private KeyCatalog(Map<String, Key> byKeyId) {
    this.byKeyId = byKeyId;
  }

  /** A catalog of the given keys (for tests and other sources of key data). */
  public static KeyCatalog of(List<Key> keys) {
    Map<String, Key> m = new TreeMap<>();
    keys.forEach(k -> m.put(k.keyId(), k));
    return new KeyCatalog(m);
  }

  /**
   * Reads every symmetric encryption key the caller may list in the engine's store.
   *
   * @throws KmsException when the caller may not list or describe them
   */
  public static KeyCatalog load(KmsEngine engine, Caller caller) {
    Map<String, List<String>> aliases = new LinkedHashMap<>();
    String marker = null;
    do {
      ListAliasesResponse page =
          engine.listAliases(caller, new ListAliasesRequest(null, 100, marker));
      for (AliasListEntry a : page.aliases()) {
        if (a.targetKeyId() != null) {
          aliases.computeIfAbsent(a.targetKeyId(), k -> new ArrayList<>()).add(a.aliasName());
        }
      }
      marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
    } while (marker != null);

    List<Key> keys = new ArrayList<>();
    marker = null;
    do {
      ListKeysResponse page = engine.listKeys(caller, new ListKeysRequest(1000, marker));
      for (KeyListEntry k : page.keys()) {
        KeyMetadata m =
            engine.describeKey(caller, new DescribeKeyRequest(k.keyId(), null)).keyMetadata();
        if (!"SYMMETRIC_DEFAULT".equals(m.keySpec()) || !"ENCRYPT_DECRYPT".equals(m.keyUsage())) {
          continue;
        }
        keys.add(
            new Key(
                m.keyId(),
                m.arn(),
                m.keyState(),
                List.copyOf(aliases.getOrDefault(m.keyId(), List.of())),
                materials(engine, caller, m.keyId())));
      }
      marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
    } while (marker != null);
    return of(keys);
  }

  private static List<Material> materials(KmsEngine engine, Caller caller, String keyId) {
    List<Material> out = new ArrayList<>();
    String marker = null;
    do {
      ListKeyRotationsResponse page =
          engine.listKeyRotations(
              caller, new ListKeyRotationsRequest(keyId, "ALL_KEY_MATERIAL", 1000, marker));
      for (RotationsListEntry e : page.rotations()) {
        out.add(
            new Material(
                e.keyMaterialId(), e.rotationDate(), "CURRENT".equals(e.keyMaterialState())));
      }
      marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
    } while (marker != null);
    out.sort(
        (a, b) ->
            a.created() == null || b.created() == null ? 0 : a.created().compareTo(b.created()));
    return out;
  }

  /** The key with this ID, or null when the store has none. */
  public Key key(String keyId) {
    return byKeyId.get(keyId);
  }

  /** Every key, by key ID. */
  public Map<String, Key> keys() {
    return byKeyId;
  }
}
