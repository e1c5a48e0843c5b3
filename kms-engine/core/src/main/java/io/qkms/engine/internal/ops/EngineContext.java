package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyCreators;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.internal.cache.KeyCache;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.internal.store.StoreErrors;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.Region;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What every operation shares: the store (with its deadline), the cache, the clock, the account.
 * Translates store failures into API errors ({@link StoreErrors}).
 */
final class EngineContext {
  final StateStore store;
  final KeyCache cache;
  final Clock clock;
  final Duration storeTimeout;
  final AccountId account;
  final List<Region> regions;
  final Limits limits;

  /**
   * What a store may grow to and who may make it grow.
   *
   * @param keysPerRegion the most keys one region holds, in any state (AWS: 100,000 per account and
   *     region)
   * @param keyCreators who may call CreateKey
   */
  record Limits(int keysPerRegion, KeyCreators keyCreators) {}

  EngineContext(
      StateStore store, KeyCache cache, Clock clock, Duration storeTimeout, Limits limits) {
    this.store = store;
    this.cache = cache;
    this.clock = clock;
    this.storeTimeout = storeTimeout;
    this.limits = limits;
    StoreState initial = guard(() -> store.read(storeTimeout));
    this.account = initial.account();
    this.regions = List.copyOf(initial.regions());
  }

  Instant now() {
    return clock.instant();
  }

  /**
   * Whether {@code r}'s deletion date has passed; only a key pending deletion costs a clock read
   * (the data path asks this of two keys per call).
   */
  boolean isDeleted(KeyRecord r) {
    return r.state() == KeyState.PENDING_DELETION && r.isDeletedAt(now());
  }

  SecureRandom random() {
    return Randomness.current();
  }

  /** The latest state, with due rotations applied first when this engine may write. */
  StoreState read() {
    Loaded loaded = readForLoader();
    if (loaded.maintained()) {
      cache.invalidateAllMetadata();
    }
    return loaded.state();
  }

  /** A state read by a cache loader, and whether reading it committed due maintenance. */
  record Loaded(StoreState state, boolean maintained) {}

  /**
   * Like {@link #read()}, but never touches the cache, for cache loaders: a loader runs inside the
   * cache's compute, and invalidating the cache there deadlocks with another thread's invalidation
   * (which holds the cache's eviction lock and waits for the entry being computed). When {@code
   * maintained()}, the caller drops cached metadata after the cache call has returned.
   */
  Loaded readForLoader() {
    StoreState s = guard(() -> store.read(storeTimeout));
    if (!store.isReadOnly() && Maintenance.isDue(s, now())) {
      return new Loaded(commit(UnaryOperator.identity()), true);
    }
    return new Loaded(s, false);
  }

  /**
   * Commits {@code change} on top of maintenance (expired keys purged, due rotations made), then
   * drops cached metadata so this engine sees its own write at once.
   */
  StoreState write(UnaryOperator<StoreState> change) {
    StoreState result = commit(change);
    cache.invalidateAllMetadata();
    return result;
  }

  /** Commits {@code change} on top of maintenance; leaves the cache alone. */
  private StoreState commit(UnaryOperator<StoreState> change) {
    if (store.isReadOnly()) {
      throw new UnsupportedOperationException(
          "This QKMS engine opened its key store read-only and cannot change keys");
    }
    StoreState result =
        guard(
            () ->
                store.update(
                    storeTimeout,
                    s -> {
                      Instant now = now();
                      StoreState maintained =
                          Maintenance.apply(s, now, store.materialProtector(), random());
                      return change.apply(maintained);
                    }));
    return result;
  }

  /** The caller's region in {@code state}; a region this store does not have is refused. */
  RegionState region(StoreState state, Caller caller) {
    RegionState rs = state.region(caller.region());
    if (rs == null) {
      throw new ValidationException(
          "The region " + caller.region() + " is not a region of this key store");
    }
    return rs;
  }

  /** Refuses a region the store does not have (the region list is fixed when a store is made). */
  void checkRegion(Region region) {
    if (!regions.contains(region)) {
      throw new ValidationException("The region " + region + " is not a region of this key store");
    }
  }

  /** Runs a store call, translating store failures to API errors. */
  <T> T guard(Supplier<T> call) {
    return StoreErrors.guard(call);
  }
}
