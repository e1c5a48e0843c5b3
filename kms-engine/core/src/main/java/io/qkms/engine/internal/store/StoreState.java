package io.qkms.engine.internal.store;

import com.google.errorprone.annotations.CheckReturnValue;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.Region;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a key store holds: one account, its regions (the first is the home region), each
 * region's keys and aliases, and the access keys of the HTTP endpoint. Immutable: a store commits a
 * whole new state atomically, and readers keep using the state they got, so a reader never sees
 * half a change.
 */
@CheckReturnValue
public final class StoreState {
  private final AccountId account;
  private final List<Region> regions;
  private final Map<Region, RegionState> byRegion;
  private final Map<String, AccessKeyRecord> accessKeys; // creation order
  private final long revision;

  private StoreState(
      AccountId account,
      List<Region> regions,
      Map<Region, RegionState> byRegion,
      Map<String, AccessKeyRecord> accessKeys,
      long revision) {
    this.account = Objects.requireNonNull(account, "account");
    this.regions = List.copyOf(regions);
    this.byRegion = Collections.unmodifiableMap(byRegion);
    this.accessKeys = Collections.unmodifiableMap(accessKeys);
    this.revision = revision;
    if (this.regions.isEmpty()) {
      throw new IllegalArgumentException("A key store has at least one region");
    }
    if (!byRegion.keySet().equals(new HashSet<>(this.regions))) {
      throw new IllegalArgumentException("Region states must match the region list");
    }
  }

  /** A new, empty store state. */
  public static StoreState create(AccountId account, List<Region> regions) {
    Map<Region, RegionState> m = new LinkedHashMap<>();
    for (Region r : regions) {
      if (m.put(r, RegionState.empty()) != null) {
        throw new IllegalArgumentException("Region listed twice: " + r);
      }
    }
    return new StoreState(account, regions, m, new LinkedHashMap<>(), 0);
  }

  /** A state with the given content and no access keys. */
  public static StoreState of(
      AccountId account, List<Region> regions, Map<Region, RegionState> byRegion, long revision) {
    return of(account, regions, byRegion, List.of(), revision);
  }

  /** A state with the given content, e.g. loaded from a file. */
  public static StoreState of(
      AccountId account,
      List<Region> regions,
      Map<Region, RegionState> byRegion,
      List<AccessKeyRecord> accessKeys,
      long revision) {
    Map<String, AccessKeyRecord> keys = new LinkedHashMap<>();
    for (AccessKeyRecord k : accessKeys) {
      if (keys.put(k.accessKeyId(), k) != null) {
        throw new IllegalArgumentException("Access key listed twice: " + k.accessKeyId());
      }
    }
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), keys, revision);
  }

  public AccountId account() {
    return account;
  }

  /** All regions; the first is the home region. */
  public List<Region> regions() {
    return regions;
  }

  public Region homeRegion() {
    return regions.get(0);
  }

  /** Counts committed changes; a store increments it on every commit. */
  public long revision() {
    return revision;
  }

  /** The region's state, or null if the store has no such region. */
  public RegionState region(Region region) {
    return byRegion.get(region);
  }

  public StoreState withRegion(Region region, RegionState state) {
    if (!byRegion.containsKey(region)) {
      throw new IllegalArgumentException("No such region in this store: " + region);
    }
    Map<Region, RegionState> m = new LinkedHashMap<>(byRegion);
    m.put(region, state);
    return new StoreState(account, regions, m, accessKeys, revision);
  }

  public StoreState withRevision(long newRevision) {
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), accessKeys, newRevision);
  }

  /** The HTTP endpoint's access keys, oldest first. */
  public Collection<AccessKeyRecord> accessKeys() {
    return accessKeys.values();
  }

  /** The access key with this ID, or null. */
  public AccessKeyRecord accessKey(String accessKeyId) {
    return accessKeys.get(accessKeyId);
  }

  /** Adds an access key; its ID must be new. */
  public StoreState withAccessKey(AccessKeyRecord key) {
    if (accessKeys.containsKey(key.accessKeyId())) {
      throw new IllegalArgumentException("Access key already in this store: " + key.accessKeyId());
    }
    Map<String, AccessKeyRecord> k = new LinkedHashMap<>(accessKeys);
    k.put(key.accessKeyId(), key);
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), k, revision);
  }

  /** Removes an access key; the same state if there is none with this ID. */
  public StoreState withoutAccessKey(String accessKeyId) {
    if (!accessKeys.containsKey(accessKeyId)) {
      return this;
    }
    Map<String, AccessKeyRecord> k = new LinkedHashMap<>(accessKeys);
    k.remove(accessKeyId);
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), k, revision);
  }

  /** Adds a region (empty). */
  public StoreState withNewRegion(Region region) {
    if (byRegion.containsKey(region)) {
      throw new IllegalArgumentException("Region already in this store: " + region);
    }
    Map<Region, RegionState> m = new LinkedHashMap<>(byRegion);
    m.put(region, RegionState.empty());
    List<Region> r = new ArrayList<>(regions);
    r.add(region);
    return new StoreState(account, r, m, accessKeys, revision);
  }

  /**
   * Drops every key whose deletion window has passed by {@code now}, with its aliases and grants,
   * as AWS KMS deletes a key at the end of its waiting period.
   */
  public StoreState purgeDeleted(Instant now) {
    StoreState result = this;
    for (Region r : regions) {
      RegionState rs = result.region(r);
      for (KeyRecord k : List.copyOf(rs.keys())) {
        if (k.isDeletedAt(now)) {
          rs = rs.withoutKey(k.keyId());
        }
      }
      if (rs != result.region(r)) {
        result = result.withRegion(r, rs);
      }
    }
    return result;
  }

  /** Every region holding a key with this ID (for multi-region keys, the primary and replicas). */
  public List<Region> regionsHolding(KeyId keyId) {
    return regions.stream().filter(r -> byRegion.get(r).key(keyId) != null).toList();
  }
}
