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
 */
public final class KeyCache {
  private record KeyRef(Region region, KeyId keyId) {}

  private record AliasRef(Region region, AliasName alias) {}

  private record MaterialRef(KeyId keyId, MaterialId materialId) {}

  private record GrantRef(Region region, String grantId) {}

  private final Cache<KeyRef, CachedKey> keys;
  private final Cache<AliasRef, KeyId> aliases;
  private final Cache<MaterialRef, CachedMaterial> materials;
  private final Cache<GrantRef, KeyId> grantKeys;

  /**
   * @param nanoTime the clock that ages entries, in nanoseconds
   */
  public KeyCache(KeyCacheConfig config, LongSupplier nanoTime) {
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
    return keys.get(new KeyRef(region, keyId), ref -> loader.get());
  }

  /** The cached target of an alias, or what {@code loader} returns (null: nothing cached). */
  public KeyId alias(Region region, AliasName alias, Supplier<KeyId> loader) {
    return aliases.get(new AliasRef(region, alias), ref -> loader.get());
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
  }

  /** Forgets all metadata (after a local write whose reach is wider than one key). */
  public void invalidateAllMetadata() {
    keys.invalidateAll();
    aliases.invalidateAll();
    grantKeys.invalidateAll();
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
        k.hitCount() + a.hitCount(),
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
