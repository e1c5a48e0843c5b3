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
   * One thread's memo of one entry of one cache, with the deadline and generation it holds until.
   */
  private static final class Slot<I, V> {
    Region region;
    I id;
    V value;
    long deadline;
    long generation;
  }

  /** One thread's last two entries of one cache; a miss replaces the one used less recently. */
  private static final class Slots<I, V> {
    final Slot<I, V> a = new Slot<>();
    final Slot<I, V> b = new Slot<>();
    boolean lastIsA;
  }

  /** One thread's last two keys, aliases and materials (a ReEncrypt uses two of each). */
  private static final class Memo {
    final Slots<KeyId, CachedKey> key = new Slots<>();
    final Slots<AliasName, KeyId> alias = new Slots<>();
    final MaterialSlot[] materials = {new MaterialSlot(), new MaterialSlot()};
    int lastMaterial; // the slot used last; a miss replaces the other
  }

  /** One thread's memo of one material. */
  private static final class MaterialSlot {
    KeyId keyId;
    MaterialId materialId;
    CachedMaterial value;
    long deadline;
    long generation;
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
      Slots<I, V> slots,
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

  private <I, V> V fresh(Slots<I, V> slots, Region region, I id, long now) {
    V v = fresh(slots.a, region, id, now);
    if (v != null) {
      slots.lastIsA = true;
      return v;
    }
    v = fresh(slots.b, region, id, now);
    if (v != null) {
      slots.lastIsA = false;
    }
    return v;
  }

  private <I, V> V fresh(Slot<I, V> slot, Region region, I id, long now) {
    V v = slot.value;
    if (v != null
        && slot.id.equals(id)
        && slot.region.equals(region)
        && slot.generation == generation.get()
        && now - slot.deadline < 0) {
      memoHits.increment();
      return v;
    }
    return null;
  }

  /**
   * Keeps {@code loaded} in the slot this thread used less recently, valid a TTL from its load;
   * returns its value.
   */
  private <I, V> V remember(Slots<I, V> slots, Region region, I id, Loaded<V> loaded, long gen) {
    if (loaded == null) {
      return null;
    }
    Slot<I, V> slot = slots.lastIsA ? slots.b : slots.a;
    slots.lastIsA = slot == slots.a;
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
        rememberMaterial(keyId, materialId, entry, gen);
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
    Memo memo = this.memo.get();
    MaterialSlot[] slots = memo.materials;
    for (int i = 0; i < slots.length; i++) {
      MaterialSlot s = slots[i];
      CachedMaterial v = s.value;
      if (v != null
          && s.materialId.equals(materialId)
          && s.keyId.equals(keyId)
          && s.generation == materialGeneration.get()
          && now - s.deadline < 0
          && v.retain()) {
        memo.lastMaterial = i;
        materialMemoHits.increment();
        return v;
      }
    }
    return null;
  }

  private void rememberMaterial(
      KeyId keyId, MaterialId materialId, Loaded<CachedMaterial> entry, long gen) {
    Memo memo = this.memo.get();
    int i = 1 - memo.lastMaterial;
    MaterialSlot s = memo.materials[i];
    s.keyId = keyId;
    s.materialId = materialId;
    s.value = entry.value();
    s.deadline = entry.loadStart() + ttlNanos;
    s.generation = gen;
    memo.lastMaterial = i;
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
