package io.qkms.engine.internal.store;

import com.google.errorprone.annotations.CheckReturnValue;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The keys and aliases of one region. Immutable; the {@code with*} methods return copies. */
@CheckReturnValue
public final class RegionState {
  private static final RegionState EMPTY =
      new RegionState(new LinkedHashMap<>(), new TreeMap<>(Comparator.comparing(AliasName::value)));

  private final Map<KeyId, KeyRecord> keys; // creation order, which ListKeys follows
  private final Map<AliasName, AliasRecord> aliases; // sorted by name, which ListAliases follows

  private RegionState(Map<KeyId, KeyRecord> keys, Map<AliasName, AliasRecord> aliases) {
    this.keys = Collections.unmodifiableMap(keys);
    this.aliases = Collections.unmodifiableMap(aliases);
  }

  public static RegionState empty() {
    return EMPTY;
  }

  /** Builds a region from records, e.g. when a store loads its file. */
  public static RegionState of(Collection<KeyRecord> keys, Collection<AliasRecord> aliases) {
    Map<KeyId, KeyRecord> k = new LinkedHashMap<>();
    keys.forEach(r -> k.put(r.keyId(), r));
    Map<AliasName, AliasRecord> a = new TreeMap<>(Comparator.comparing(AliasName::value));
    aliases.forEach(r -> a.put(r.name(), r));
    return new RegionState(k, a);
  }

  /** The key with this ID, or null. */
  public KeyRecord key(KeyId id) {
    return keys.get(id);
  }

  /** The alias with this name, or null. */
  public AliasRecord alias(AliasName name) {
    return aliases.get(name);
  }

  public Collection<KeyRecord> keys() {
    return keys.values();
  }

  public Collection<AliasRecord> aliases() {
    return aliases.values();
  }

  public RegionState withKey(KeyRecord key) {
    Map<KeyId, KeyRecord> k = new LinkedHashMap<>(keys);
    k.put(key.keyId(), key);
    return new RegionState(k, copyAliases());
  }

  /** Removes a key and every alias that points to it. */
  public RegionState withoutKey(KeyId id) {
    Map<KeyId, KeyRecord> k = new LinkedHashMap<>(keys);
    k.remove(id);
    Map<AliasName, AliasRecord> a = copyAliases();
    a.values().removeIf(alias -> alias.targetKeyId().equals(id));
    return new RegionState(k, a);
  }

  public RegionState withAlias(AliasRecord alias) {
    Map<AliasName, AliasRecord> a = copyAliases();
    a.put(alias.name(), alias);
    return new RegionState(new LinkedHashMap<>(keys), a);
  }

  public RegionState withoutAlias(AliasName name) {
    Map<AliasName, AliasRecord> a = copyAliases();
    a.remove(name);
    return new RegionState(new LinkedHashMap<>(keys), a);
  }

  private Map<AliasName, AliasRecord> copyAliases() {
    Map<AliasName, AliasRecord> a = new TreeMap<>(Comparator.comparing(AliasName::value));
    a.putAll(aliases);
    return a;
  }
}
