package io.qkms.engine.store;

import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.Region;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a key store holds: one account, its regions (the first is the home region) and each
 * region's keys and aliases. Immutable: a store commits a whole new state atomically, and readers
 * keep using the state they got, so a reader never sees half a change.
 */
public final class StoreState {
  private final AccountId account;
  private final List<Region> regions;
  private final Map<Region, RegionState> byRegion;
  private final long revision;

  private StoreState(
      AccountId account, List<Region> regions, Map<Region, RegionState> byRegion, long revision) {
    this.account = Objects.requireNonNull(account, "account");
    this.regions = List.copyOf(regions);
    this.byRegion = Collections.unmodifiableMap(byRegion);
    this.revision = revision;
    if (this.regions.isEmpty()) {
      throw new IllegalArgumentException("A key store has at least one region");
    }
    if (!byRegion.keySet().equals(new java.util.HashSet<>(this.regions))) {
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
    return new StoreState(account, regions, m, 0);
  }

  /** A state with the given content, e.g. loaded from a file. */
  public static StoreState of(
      AccountId account, List<Region> regions, Map<Region, RegionState> byRegion, long revision) {
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), revision);
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
    return new StoreState(account, regions, m, revision);
  }

  public StoreState withRevision(long newRevision) {
    return new StoreState(account, regions, new LinkedHashMap<>(byRegion), newRevision);
  }

  /** Adds a region (empty). */
  public StoreState withNewRegion(Region region) {
    if (byRegion.containsKey(region)) {
      throw new IllegalArgumentException("Region already in this store: " + region);
    }
    Map<Region, RegionState> m = new LinkedHashMap<>(byRegion);
    m.put(region, RegionState.empty());
    List<Region> r = new java.util.ArrayList<>(regions);
    r.add(region);
    return new StoreState(account, r, m, revision);
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
