package io.qkms.engine.internal.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Region;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The engine's per-JVM key cache, on Caffeine: key metadata (records with parsed policies, and
 * alias resolutions) per region, and unwrapped materials per (key ID, material ID), which replicas
 * of a multi-region key share. Bounded by {@link KeyCacheConfig}, expiring entries a TTL after they
 * were loaded, measured by an injected clock, and wiping evicted materials. No background threads:
 * maintenance runs on the calling threads, which matters in a Flink TaskManager where lingering
 * threads pin a job's class loader.
 *
 * <p>In front of the key and alias caches, each thread remembers the last key and alias it was
 * given (a job names the same key for millions of records): a hit costs an equality check, a clock
 * read and a volatile read instead of a Caffeine lookup. A memo keeps the cache's semantics: it
 * expires a TTL after the load of its entry began, and any invalidation drops every thread's memo
 * (a generation counter), so a key disabled or deleted elsewhere is seen within the TTL as before.
 * Materials are not memoized: the cache must be able to wipe an evicted material, so each use
 * retains it through Caffeine.
 */
public final class KeyCache {
  private record KeyRef(Region region, KeyId keyId) {}

  private record AliasRef(Region region, AliasName alias) {}

  private record MaterialRef(KeyId keyId, MaterialId materialId) {}

  private record GrantRef(Region region, String grantId) {}

  /** A value and the clock reading taken before the load that produced it began. */
  private record Loaded<V>(V value, long loadStart) {}

  /** One thread's last entry of one cache, with the deadline and generation it holds until. */
  private static final class Slot<I, V> {
    Region region;
    I id;
    V value;
    long deadline;
    long generation;
  }

  /** One thread's last key and last alias. */
  private static final class Memo {
    final Slot<KeyId, CachedKey> key = new Slot<>();
    final Slot<AliasName, KeyId> alias = new Slot<>();
  }

  private final Cache<KeyRef, Loaded<CachedKey>> keys;
  private final Cache<AliasRef, Loaded<KeyId>> aliases;
  private final LongSupplier nanoTime;
  private final long ttlNanos;
  // Bumped after every metadata invalidation; a memo taken under an older value is not used.
  private final AtomicLong generation = new AtomicLong();
  private final ThreadLocal<Memo> memo = ThreadLocal.withInitial(Memo::new);
  private final LongAdder memoHits = new LongAdder();
  private final Cache<MaterialRef, CachedMaterial> materials;
  private final Cache<GrantRef, KeyId> grantKeys;

  /**
   * @param nanoTime the clock that ages entries, in nanoseconds
   */
  public KeyCache(KeyCacheConfig config, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.ttlNanos = config.ttl().toNanos();
    keys = bounded(config.maxKeys(), config, nanoTime).recordStats().build();
    aliases = bounded(config.maxKeys(), config, nanoTime).recordStats().build();
    grantKeys = bounded(config.maxKeys(), config, nanoTime).build();
    materials =
        bounded(config.maxMaterials(), config, nanoTime)
            .removalListener(
                (MaterialRef ref, CachedMaterial m, RemovalCause cause) -> {
                  if (m != null) {
                    m.release(); // the cache's own reference; users may still hold theirs
                  }
                })
            .recordStats()
            .build();
  }

  /**
   * Bounded in size, expiring a TTL after loading, on the injected clock, no threads of its own.
   */
  private static Caffeine<Object, Object> bounded(
      long maximumSize, KeyCacheConfig config, LongSupplier nanoTime) {
    return Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .expireAfterWrite(config.ttl())
        .ticker(nanoTime::getAsLong)
        .executor(Runnable::run);
  }

  /**
   * The cached key, or the one {@code loader} returns (null: not found, nothing cached). Loader
   * exceptions propagate.
   */
  public CachedKey key(Region region, KeyId keyId, Supplier<CachedKey> loader) {
    return memoized(memo.get().key, keys, KeyRef::new, region, keyId, loader);
  }

  /**
   * The key this thread last got for ({@code region}, {@code keyId}) if that is still fresh, else
   * null: the data path's fast path, before it builds a loader for {@link #key}.
   */
  public CachedKey memoizedKey(Region region, KeyId keyId) {
    return fresh(memo.get().key, region, keyId);
  }

  /** The cached target of an alias, or what {@code loader} returns (null: nothing cached). */
  public KeyId alias(Region region, AliasName alias, Supplier<KeyId> loader) {
    return memoized(memo.get().alias, aliases, AliasRef::new, region, alias, loader);
  }

  /** The target this thread last got for the alias if still fresh, else null. */
  public KeyId memoizedAlias(Region region, AliasName alias) {
    return fresh(memo.get().alias, region, alias);
  }

  /**
   * The slot's value if fresh, else {@code cache}'s entry for ({@code region}, {@code id}), loaded
   * if absent, then kept in the slot. The reference is made only on a miss (the fast path allocates
   * nothing).
   */
  private <I, R, V> V memoized(
      Slot<I, V> slot,
      Cache<R, Loaded<V>> cache,
      BiFunction<Region, I, R> ref,
      Region region,
      I id,
      Supplier<V> loader) {
    V hit = fresh(slot, region, id);
    if (hit != null) {
      return hit;
    }
    long gen = generation.get(); // before the lookup: an invalidation during it voids the memo
    return remember(slot, region, id, cache.get(ref.apply(region, id), r -> load(loader)), gen);
  }

  private <I, V> V fresh(Slot<I, V> slot, Region region, I id) {
    V v = slot.value;
    if (v != null
        && slot.id.equals(id)
        && slot.region.equals(region)
        && slot.generation == generation.get()
        && nanoTime.getAsLong() - slot.deadline < 0) {
      memoHits.increment();
      return v;
    }
    return null;
  }

  /** Keeps {@code loaded} in this thread's slot, valid a TTL from its load; returns its value. */
  private <I, V> V remember(Slot<I, V> slot, Region region, I id, Loaded<V> loaded, long gen) {
    if (loaded == null) {
      return null;
    }
    slot.region = region;
    slot.id = id;
    slot.value = loaded.value();
    slot.deadline = loaded.loadStart() + ttlNanos;
    slot.generation = gen;
    return loaded.value();
  }

  private <V> Loaded<V> load(Supplier<V> loader) {
    // Read before loading: the memo's deadline is then no later than Caffeine's expiry.
    long start = nanoTime.getAsLong();
    V v = loader.get();
    return v == null ? null : new Loaded<>(v, start);
  }

  /** The key a grant belongs to, cached, or what {@code loader} finds (null: nothing cached). */
  public KeyId grantKey(Region region, String grantId, Supplier<KeyId> loader) {
    return grantKeys.get(new GrantRef(region, grantId), ref -> loader.get());
  }

  public void invalidateGrant(Region region, String grantId) {
    grantKeys.invalidate(new GrantRef(region, grantId));
  }

  /**
   * A retained material: the cached one or the one {@code loader} makes. The caller must {@link
   * CachedMaterial#release()} it.
   */
  public CachedMaterial retainMaterial(
      KeyId keyId, MaterialId materialId, Function<MaterialId, CachedMaterial> loader) {
    MaterialRef ref = new MaterialRef(keyId, materialId);
    for (; ; ) {
      CachedMaterial[] loaded = new CachedMaterial[1];
      CachedMaterial m =
          materials.get(
              ref,
              r -> {
                CachedMaterial fresh = loader.apply(r.materialId());
                // The caller's reference is taken before the cache can evict (and release) it:
                // with a zero TTL or a full cache, Caffeine drops a new entry within this get.
                fresh.retain();
                loaded[0] = fresh;
                return fresh;
              });
      if (m == loaded[0] || m.retain()) {
        return m;
      }
      // Wiped by an eviction between get and retain: it is no longer mapped; load it again.
    }
  }

  /** Forgets a key's metadata in one region (after a local write to it). */
  public void invalidateKey(Region region, KeyId keyId) {
    keys.invalidate(new KeyRef(region, keyId));
    generation.incrementAndGet(); // after: a lookup that saw the old generation may hold old data
  }

  /** Forgets all metadata (after a local write whose reach is wider than one key). */
  public void invalidateAllMetadata() {
    keys.invalidateAll();
    aliases.invalidateAll();
    grantKeys.invalidateAll();
    generation.incrementAndGet();
  }

  /** Wipes and forgets every cached material. */
  public void invalidateAllMaterials() {
    materials.invalidateAll();
  }

  public KeyCacheStats stats() {
    CacheStats k = keys.stats();
    CacheStats a = aliases.stats();
    CacheStats m = materials.stats();
    return new KeyCacheStats(
        k.hitCount() + a.hitCount() + memoHits.sum(),
        k.missCount() + a.missCount(),
        k.evictionCount() + a.evictionCount(),
        m.hitCount(),
        m.missCount(),
        m.evictionCount());
  }

  /** Entries currently held (approximate), for tests and reports. */
  public long materialCount() {
    materials.cleanUp();
    return materials.estimatedSize();
  }
}
