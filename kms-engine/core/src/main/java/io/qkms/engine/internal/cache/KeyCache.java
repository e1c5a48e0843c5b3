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
 * <p>In front of the key and alias caches, each thread remembers the last two keys and aliases it
 * was given (a job names the same two keys for millions of records): a hit costs an equality check
 * and a volatile read, against a clock reading the caller may share between lookups, instead of a
 * Caffeine lookup. A memo keeps the cache's semantics: it expires a TTL after the load of its entry
 * began, and any invalidation drops every thread's memo (a generation counter), so a key disabled
 * or deleted elsewhere is seen within the TTL as before. Each thread also remembers its last two
 * materials (a ReEncrypt uses its source's and its destination's), under the same TTL rule; a memo
 * is dropped by any removal of any material (expiry, eviction, invalidation), and a use still
 * retains the material, which fails once it is wiped, so a memo never hands out a wiped material
 * nor keeps one alive past its removal.
 */
public final class KeyCache {
  private record KeyRef(Region region, KeyId keyId) {}

  private record AliasRef(Region region, AliasName alias) {}

  private record MaterialRef(KeyId keyId, MaterialId materialId) {}

  private record GrantRef(Region region, String grantId) {}

  /** A value and the clock reading taken before the load that produced it began. */
  private record Loaded<V>(V value, long loadStart) {}

  /**
   * One thread's memo of one entry of one cache: its scope (a region; for a material, its key ID),
   * its ID and value, and the deadline and generation it holds until.
   */
  private static final class Slot<S, I, V> {
    S scope;
    I id;
    V value;
    long deadline;
    long generation;

    boolean holds(S scope, I id) {
      return value != null && this.id.equals(id) && this.scope.equals(scope);
    }
  }

  /** One thread's last two entries of one cache; a miss replaces the one used less recently. */
  private static final class Slots<S, I, V> {
    final Slot<S, I, V> a = new Slot<>();
    final Slot<S, I, V> b = new Slot<>();
    boolean lastIsA;

    /** The slot holding ({@code scope}, {@code id}), fresh or not; null if neither does. */
    Slot<S, I, V> find(S scope, I id) {
      return a.holds(scope, id) ? a : b.holds(scope, id) ? b : null;
    }

    /** Marks {@code slot}, a fresh hit, as used last. */
    void used(Slot<S, I, V> slot) {
      lastIsA = slot == a;
    }

    /**
     * Keeps an entry in the slot that holds its old value, else in the one used less recently, and
     * marks it as used last.
     */
    void put(S scope, I id, V value, long deadline, long generation) {
      Slot<S, I, V> slot = find(scope, id);
      if (slot == null) {
        slot = lastIsA ? b : a;
      }
      slot.scope = scope;
      slot.id = id;
      slot.value = value;
      slot.deadline = deadline;
      slot.generation = generation;
      used(slot);
    }
  }

  /** One thread's last two keys, aliases and materials (a ReEncrypt uses two of each). */
  private static final class Memo {
    final Slots<Region, KeyId, CachedKey> key = new Slots<>();
    final Slots<Region, AliasName, KeyId> alias = new Slots<>();
    final Slots<KeyId, MaterialId, CachedMaterial> materials = new Slots<>();
  }

  private final Cache<KeyRef, Loaded<CachedKey>> keys;
  private final Cache<AliasRef, Loaded<KeyId>> aliases;
  private final LongSupplier nanoTime;
  private final long ttlNanos;
  // Bumped after every metadata invalidation; a memo taken under an older value is not used.
  private final AtomicLong generation = new AtomicLong();
  private final ThreadLocal<Memo> memo = ThreadLocal.withInitial(Memo::new);
  private final LongAdder memoHits = new LongAdder();
  private final Cache<MaterialRef, Loaded<CachedMaterial>> materials;
  // Bumped by every removal of a material; a material memo taken under an older value is not used.
  private final AtomicLong materialGeneration = new AtomicLong();
  private final LongAdder materialMemoHits = new LongAdder();
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
                (MaterialRef ref, Loaded<CachedMaterial> m, RemovalCause cause) -> {
                  materialGeneration.incrementAndGet(); // before the wipe: memos stop first
                  if (m != null) {
                    m.value().release(); // the cache's own reference; users may still hold theirs
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
    return memoizedKey(region, keyId, now());
  }

  /**
   * {@link #memoizedKey(Region, KeyId)} judged at {@code now}, a reading of {@link #now()}: a
   * request that looks up several entries reads the clock once.
   */
  public CachedKey memoizedKey(Region region, KeyId keyId, long now) {
    return fresh(memo.get().key, region, keyId, now);
  }

  /** The cache clock's reading, in nanoseconds, for the lookups that take one. */
  public long now() {
    return nanoTime.getAsLong();
  }

  /** The cached target of an alias, or what {@code loader} returns (null: nothing cached). */
  public KeyId alias(Region region, AliasName alias, Supplier<KeyId> loader) {
    return memoized(memo.get().alias, aliases, AliasRef::new, region, alias, loader);
  }

  /** The target this thread last got for the alias if still fresh, else null. */
  public KeyId memoizedAlias(Region region, AliasName alias) {
    return fresh(memo.get().alias, region, alias, now());
  }

  /**
   * The slot's value if fresh, else {@code cache}'s entry for ({@code region}, {@code id}), loaded
   * if absent, then kept in the slot. The reference is made only on a miss (the fast path allocates
   * nothing).
   */
  private <I, R, V> V memoized(
      Slots<Region, I, V> slots,
      Cache<R, Loaded<V>> cache,
      BiFunction<Region, I, R> ref,
      Region region,
      I id,
      Supplier<V> loader) {
    V hit = fresh(slots, region, id, now());
    if (hit != null) {
      return hit;
    }
    long gen = generation.get(); // before the lookup: an invalidation during it voids the memo
    return remember(slots, region, id, cache.get(ref.apply(region, id), r -> load(loader)), gen);
  }

  private <I, V> V fresh(Slots<Region, I, V> slots, Region region, I id, long now) {
    Slot<Region, I, V> slot = slots.find(region, id);
    if (slot != null && slot.generation == generation.get() && now - slot.deadline < 0) {
      slots.used(slot);
      memoHits.increment();
      return slot.value;
    }
    return null;
  }

  /** Keeps {@code loaded} in this thread's memo, valid a TTL from its load; returns its value. */
  private <I, V> V remember(
      Slots<Region, I, V> slots, Region region, I id, Loaded<V> loaded, long gen) {
    if (loaded == null) {
      return null;
    }
    slots.put(region, id, loaded.value(), loaded.loadStart() + ttlNanos, gen);
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
   * A retained material: this thread's memo of it while fresh, else the cached one or the one
   * {@code loader} makes. The caller must {@link CachedMaterial#release()} it.
   */
  public CachedMaterial retainMaterial(
      KeyId keyId, MaterialId materialId, Function<MaterialId, CachedMaterial> loader) {
    CachedMaterial hit = retainMemoizedMaterial(keyId, materialId, now());
    if (hit != null) {
      return hit;
    }
    MaterialRef ref = new MaterialRef(keyId, materialId);
    for (; ; ) {
      long gen = materialGeneration.get(); // before the lookup: a removal during it voids the memo
      CachedMaterial[] loaded = new CachedMaterial[1];
      Loaded<CachedMaterial> entry =
          materials.get(
              ref,
              r -> {
                long start = nanoTime.getAsLong();
                CachedMaterial fresh = loader.apply(r.materialId());
                // The caller's reference is taken before the cache can evict (and release) it:
                // with a zero TTL or a full cache, Caffeine drops a new entry within this get.
                fresh.retain();
                loaded[0] = fresh;
                return new Loaded<>(fresh, start);
              });
      CachedMaterial m = entry.value();
      if (m == loaded[0] || m.retain()) {
        memo.get().materials.put(keyId, materialId, m, entry.loadStart() + ttlNanos, gen);
        return m;
      }
      // Wiped by an eviction between get and retain: it is no longer mapped; load it again.
    }
  }

  /**
   * This thread's memo of the material, retained, if it is fresh at {@code now} (a reading of
   * {@link #now()}) and not wiped; else null: the data path's fast path, before it builds a loader
   * for {@link #retainMaterial}.
   */
  public CachedMaterial retainMemoizedMaterial(KeyId keyId, MaterialId materialId, long now) {
    Slots<KeyId, MaterialId, CachedMaterial> slots = memo.get().materials;
    Slot<KeyId, MaterialId, CachedMaterial> slot = slots.find(keyId, materialId);
    if (slot != null
        && slot.generation == materialGeneration.get()
        && now - slot.deadline < 0
        && slot.value.retain()) {
      slots.used(slot);
      materialMemoHits.increment();
      return slot.value;
    }
    return null;
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
    materialGeneration.incrementAndGet();
  }

  public KeyCacheStats stats() {
    CacheStats k = keys.stats();
    CacheStats a = aliases.stats();
    CacheStats m = materials.stats();
    return new KeyCacheStats(
        k.hitCount() + a.hitCount() + memoHits.sum(),
        k.missCount() + a.missCount(),
        k.evictionCount() + a.evictionCount(),
        m.hitCount() + materialMemoHits.sum(),
        m.missCount(),
        m.evictionCount());
  }

  /** Entries currently held (approximate), for tests and reports. */
  public long materialCount() {
    materials.cleanUp();
    return materials.estimatedSize();
  }
}
