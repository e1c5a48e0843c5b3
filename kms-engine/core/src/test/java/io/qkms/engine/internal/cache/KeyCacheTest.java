package io.qkms.engine.internal.cache;

import static io.qkms.engine.testing.SampleKeyRecords.enabledKey;
import static io.qkms.engine.testing.SampleKeyRecords.keyId;
import static io.qkms.engine.testing.SampleKeyRecords.materialId;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Region;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The key cache over a hand-moved nanosecond clock. */
class KeyCacheTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Region US = Region.of("us-east-1");
  private static final Region EU = Region.of("eu-west-1");
  private static final Duration TTL = Duration.ofSeconds(60);
  private static final AliasName ALIAS = AliasName.parse("alias/app");
  private static final String GRANT_ID = "ab".repeat(32);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private KeyCache cache(int maxKeys, int maxMaterials) {
    return new KeyCache(
        KeyCacheConfig.builder().ttl(TTL).maxKeys(maxKeys).maxMaterials(maxMaterials).build(),
        nanos::get);
  }

  private KeyCache cache() {
    return cache(100, 100);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  /** Counts its calls and hands out a new value each time. */
  private static final class CountingLoader<T> implements Supplier<T> {
    final AtomicInteger calls = new AtomicInteger();
    final Supplier<T> make;

    CountingLoader(Supplier<T> make) {
      this.make = make;
    }

    @Override
    public T get() {
      calls.incrementAndGet();
      return make.get();
    }
  }

  private static CountingLoader<CachedKey> keyLoader(Region region, KeyId id) {
    return new CountingLoader<>(
        () -> new CachedKey(region, enabledKey(id).build(), Arns.keyArn(ACCOUNT, id), null));
  }

  /** Loads symmetric materials and remembers each one it made. */
  private static final class MaterialLoader implements Function<MaterialId, CachedMaterial> {
    final List<CachedMaterial> made = new ArrayList<>();

    @Override
    public CachedMaterial apply(MaterialId id) {
      byte[] k = new byte[32];
      Arrays.fill(k, (byte) made.size());
      CachedMaterial m = CachedMaterial.symmetric(k);
      made.add(m);
      return m;
    }

    long destroyed() {
      return made.stream().filter(CachedMaterial::isDestroyed).count();
    }
  }

  @Test
  void key_secondLookupWithinTtl_isServedFromCache() {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = c.key(US, keyId(1), loader);
    advance(TTL.minusNanos(1));
    assertThat(c.key(US, keyId(1), loader), sameInstance(first));
    assertThat(loader.calls.get(), equalTo(1));
  }

  @Test
  void key_afterTtl_isReloaded() {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = c.key(US, keyId(1), loader);
    advance(TTL);
    CachedKey second = c.key(US, keyId(1), loader);
    assertThat(loader.calls.get(), equalTo(2));
    assertThat(second == first, equalTo(false));
  }

  @Test
  void key_loaderReturnsNull_cachesNothing() {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = new CountingLoader<>(() -> null);
    assertThat(c.key(US, keyId(1), loader), nullValue());
    assertThat(c.key(US, keyId(1), loader), nullValue());
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void key_isCachedPerRegion() {
    KeyCache c = cache();
    CountingLoader<CachedKey> us = keyLoader(US, keyId(1));
    CountingLoader<CachedKey> eu = keyLoader(EU, keyId(1));
    assertThat(c.key(US, keyId(1), us).region(), equalTo(US));
    assertThat(c.key(EU, keyId(1), eu).region(), equalTo(EU));
    assertThat(us.calls.get() + eu.calls.get(), equalTo(2));
  }

  @Test
  void invalidateKey_forgetsOnlyThatKeyInThatRegion() {
    KeyCache c = cache();
    CountingLoader<CachedKey> one = keyLoader(US, keyId(1));
    CountingLoader<CachedKey> two = keyLoader(US, keyId(2));
    CountingLoader<CachedKey> oneEu = keyLoader(EU, keyId(1));
    c.key(US, keyId(1), one);
    c.key(US, keyId(2), two);
    c.key(EU, keyId(1), oneEu);
    c.invalidateKey(US, keyId(1));
    c.key(US, keyId(1), one);
    c.key(US, keyId(2), two);
    c.key(EU, keyId(1), oneEu);
    assertThat(one.calls.get(), equalTo(2));
    assertThat(two.calls.get(), equalTo(1));
    assertThat(oneEu.calls.get(), equalTo(1));
  }

  // ---- The per-thread memo keeps the cache's TTL and invalidation -------------------------------

  @Test
  void key_repeatedWithinTtl_expiresATtlAfterItsLoadNotItsLastUse() {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = c.key(US, keyId(1), loader);
    for (int i = 0; i < 3; i++) {
      advance(TTL.dividedBy(4));
      assertThat(c.key(US, keyId(1), loader), sameInstance(first));
    }
    advance(TTL.dividedBy(4).minusNanos(1));
    assertThat(c.memoizedKey(US, keyId(1)), sameInstance(first));
    advance(Duration.ofNanos(1));
    assertThat(c.memoizedKey(US, keyId(1)), nullValue());
    assertThat(c.key(US, keyId(1), loader) == first, equalTo(false));
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void key_loadedByAnotherThread_expiresATtlAfterThatLoad() throws Exception {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = onAnotherThread(() -> c.key(US, keyId(1), loader));
    advance(TTL.minusNanos(1));
    assertThat(c.key(US, keyId(1), loader), sameInstance(first)); // a Caffeine hit, memoized
    advance(Duration.ofNanos(1));
    assertThat(c.key(US, keyId(1), loader) == first, equalTo(false));
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void key_invalidatedOnAnotherThread_isReloadedOnThisOne() throws Exception {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = c.key(US, keyId(1), loader);
    onAnotherThread(
        () -> {
          c.invalidateKey(US, keyId(1));
          return null;
        });
    assertThat(c.memoizedKey(US, keyId(1)), nullValue());
    assertThat(c.key(US, keyId(1), loader) == first, equalTo(false));
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void key_invalidatingAnotherKey_alsoDropsTheMemoButNotTheCachedEntry() {
    KeyCache c = cache();
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    CachedKey first = c.key(US, keyId(1), loader);
    c.invalidateKey(US, keyId(2));
    assertThat(c.memoizedKey(US, keyId(1)), nullValue());
    assertThat(c.key(US, keyId(1), loader), sameInstance(first));
    assertThat(loader.calls.get(), equalTo(1));
  }

  @Test
  void memoizedKey_holdsTheTwoKeysUsedLast_asAReEncryptUsesTwo() {
    KeyCache c = cache();
    CachedKey one = c.key(US, keyId(1), keyLoader(US, keyId(1)));
    CachedKey two = c.key(US, keyId(2), keyLoader(US, keyId(2)));
    assertThat(c.memoizedKey(US, keyId(1)), sameInstance(one));
    assertThat(c.memoizedKey(US, keyId(2)), sameInstance(two));
    assertThat(c.memoizedKey(US, keyId(1)), sameInstance(one)); // now used after key 2
    CachedKey three = c.key(US, keyId(3), keyLoader(US, keyId(3)));
    assertThat(c.memoizedKey(US, keyId(1)), sameInstance(one));
    assertThat(c.memoizedKey(US, keyId(2)), nullValue());
    assertThat(c.memoizedKey(US, keyId(3)), sameInstance(three));
  }

  @Test
  void memoizedKey_isNullForAnotherKeyOrRegion() {
    KeyCache c = cache();
    c.key(US, keyId(1), keyLoader(US, keyId(1)));
    assertThat(c.memoizedKey(US, keyId(2)), nullValue());
    assertThat(c.memoizedKey(EU, keyId(1)), nullValue());
  }

  @Test
  void alias_invalidateAllMetadata_dropsTheMemo() {
    KeyCache c = cache();
    CountingLoader<KeyId> loader = new CountingLoader<>(() -> keyId(1));
    c.alias(US, ALIAS, loader);
    assertThat(c.memoizedAlias(US, ALIAS), equalTo(keyId(1)));
    c.invalidateAllMetadata();
    assertThat(c.memoizedAlias(US, ALIAS), nullValue());
    c.alias(US, ALIAS, loader);
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void alias_memoExpiresATtlAfterTheLoad() {
    KeyCache c = cache();
    c.alias(US, ALIAS, new CountingLoader<>(() -> keyId(1)));
    advance(TTL.minusNanos(1));
    assertThat(c.memoizedAlias(US, ALIAS), equalTo(keyId(1)));
    advance(Duration.ofNanos(1));
    assertThat(c.memoizedAlias(US, ALIAS), nullValue());
  }

  private static <T> T onAnotherThread(Callable<T> work) throws Exception {
    ExecutorService e = Executors.newSingleThreadExecutor();
    try {
      return e.submit(work).get(10, TimeUnit.SECONDS);
    } finally {
      e.shutdownNow();
    }
  }

  @Test
  void alias_withinTtl_isCachedAndAfterTtlReloaded() {
    KeyCache c = cache();
    CountingLoader<KeyId> loader = new CountingLoader<>(() -> keyId(1));
    assertThat(c.alias(US, ALIAS, loader), equalTo(keyId(1)));
    assertThat(c.alias(US, ALIAS, loader), equalTo(keyId(1)));
    assertThat(loader.calls.get(), equalTo(1));
    advance(TTL);
    c.alias(US, ALIAS, loader);
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void grantKey_isCachedUntilInvalidated() {
    KeyCache c = cache();
    CountingLoader<KeyId> loader = new CountingLoader<>(() -> keyId(1));
    c.grantKey(US, GRANT_ID, loader);
    c.grantKey(US, GRANT_ID, loader);
    assertThat(loader.calls.get(), equalTo(1));
    c.invalidateGrant(US, GRANT_ID);
    c.grantKey(US, GRANT_ID, loader);
    assertThat(loader.calls.get(), equalTo(2));
  }

  @Test
  void invalidateAllMetadata_forgetsKeysAliasesAndGrants() {
    KeyCache c = cache();
    CountingLoader<CachedKey> keys = keyLoader(US, keyId(1));
    CountingLoader<KeyId> aliases = new CountingLoader<>(() -> keyId(1));
    CountingLoader<KeyId> grants = new CountingLoader<>(() -> keyId(1));
    c.key(US, keyId(1), keys);
    c.alias(US, ALIAS, aliases);
    c.grantKey(US, GRANT_ID, grants);
    c.invalidateAllMetadata();
    c.key(US, keyId(1), keys);
    c.alias(US, ALIAS, aliases);
    c.grantKey(US, GRANT_ID, grants);
    assertThat(keys.calls.get(), equalTo(2));
    assertThat(aliases.calls.get(), equalTo(2));
    assertThat(grants.calls.get(), equalTo(2));
  }

  @Test
  void invalidateAllMetadata_keepsMaterials() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    c.retainMaterial(keyId(1), materialId(1), loader).release();
    c.invalidateAllMetadata();
    CachedMaterial again = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(loader.made.size(), equalTo(1));
    assertThat(again.isDestroyed(), equalTo(false));
    again.release();
  }

  @Test
  void retainMaterial_secondRetain_isTheCachedMaterial() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial a = c.retainMaterial(keyId(1), materialId(1), loader);
    CachedMaterial b = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(b, sameInstance(a));
    assertThat(loader.made.size(), equalTo(1));
    a.release();
    b.release();
    assertThat(a.isDestroyed(), equalTo(false)); // the cache still holds it
  }

  @Test
  void retainMaterial_otherMaterialOfTheSameKey_isLoadedSeparately() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial a = c.retainMaterial(keyId(1), materialId(1), loader);
    CachedMaterial b = c.retainMaterial(keyId(1), materialId(2), loader);
    assertThat(a == b, equalTo(false));
    assertThat(loader.made.size(), equalTo(2));
    a.release();
    b.release();
  }

  @Test
  void expiry_wipesAMaterialNotInUse() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial m = c.retainMaterial(keyId(1), materialId(1), loader);
    m.release();
    advance(TTL);
    assertThat(c.materialCount(), equalTo(0L));
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void expiry_doesNotWipeAMaterialInUseUntilItsRelease() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial m = c.retainMaterial(keyId(1), materialId(1), loader);
    advance(TTL);
    assertThat(c.materialCount(), equalTo(0L));
    assertThat(m.isDestroyed(), equalTo(false));
    assertThat(m.symmetricKey().isDestroyed(), equalTo(false));
    m.release();
    assertThat(m.isDestroyed(), equalTo(true));
  }

  @Test
  void expiry_thenRetain_loadsAFreshMaterial() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    c.retainMaterial(keyId(1), materialId(1), loader).release();
    advance(TTL);
    CachedMaterial fresh = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(loader.made.size(), equalTo(2));
    assertThat(fresh, sameInstance(loader.made.get(1)));
    assertThat(fresh.isDestroyed(), equalTo(false));
    assertThat(loader.made.get(0).isDestroyed(), equalTo(true));
    fresh.release();
  }

  @Test
  void capacity_boundsTheMaterialsAndWipesTheEvicted() {
    KeyCache c = cache(100, 2);
    MaterialLoader loader = new MaterialLoader();
    for (int i = 1; i <= 5; i++) {
      c.retainMaterial(keyId(1), materialId(i), loader).release();
    }
    assertThat(c.materialCount(), equalTo(2L));
    assertThat(loader.destroyed(), equalTo(3L));
    assertThat(c.stats().materialEvictions(), equalTo(3L));
  }

  @Test
  void capacity_evictionDoesNotWipeMaterialsInUse() {
    KeyCache c = cache(100, 1);
    MaterialLoader loader = new MaterialLoader();
    List<CachedMaterial> held = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      held.add(c.retainMaterial(keyId(1), materialId(i), loader));
    }
    assertThat(c.materialCount(), lessThanOrEqualTo(1L));
    for (CachedMaterial m : held) {
      assertThat(m.isDestroyed(), equalTo(false));
    }
    held.forEach(CachedMaterial::release);
    assertThat(loader.destroyed(), equalTo(loader.made.size() - c.materialCount()));
  }

  @Test
  void invalidateAllMaterials_wipesUnusedAndSparesHeldUntilRelease() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    c.retainMaterial(keyId(1), materialId(1), loader).release();
    CachedMaterial held = c.retainMaterial(keyId(1), materialId(2), loader);
    c.invalidateAllMaterials();
    assertThat(c.materialCount(), equalTo(0L));
    assertThat(loader.made.get(0).isDestroyed(), equalTo(true));
    assertThat(held.isDestroyed(), equalTo(false));
    held.release();
    assertThat(held.isDestroyed(), equalTo(true));
  }

  @Test
  void materialMemo_twoMaterialsInTurn_areEachLoadedOnce() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    for (int i = 0; i < 4; i++) {
      c.retainMaterial(keyId(1), materialId(1), loader).release(); // as a ReEncrypt's source
      c.retainMaterial(keyId(2), materialId(2), loader).release(); // and its destination
    }
    assertThat(loader.made.size(), equalTo(2));
    assertThat(c.stats().materialHits(), equalTo(6L));
    assertThat(c.stats().materialMisses(), equalTo(2L));
  }

  @Test
  void materialMemo_isNotUsedAtTheTtl_evenWhileAnotherUserHoldsTheMaterial() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial held = c.retainMaterial(keyId(1), materialId(1), loader);
    advance(TTL.minusNanos(1));
    CachedMaterial again = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(again, sameInstance(held));
    again.release();
    advance(Duration.ofNanos(1));
    CachedMaterial fresh = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(fresh, sameInstance(loader.made.get(1)));
    held.release();
    assertThat(held.isDestroyed(), equalTo(true));
    assertThat(fresh.isDestroyed(), equalTo(false));
    fresh.release();
  }

  @Test
  void materialMemo_ofAMaterialEvictedWhileHeld_isNotUsed() {
    KeyCache c = cache(100, 1);
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial held = c.retainMaterial(keyId(1), materialId(1), loader);
    c.retainMaterial(keyId(1), materialId(2), loader).release(); // evicts material 1 (held)
    c.materialCount(); // lets the cache finish the eviction
    assertThat(held.isDestroyed(), equalTo(false));
    CachedMaterial again = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(again == held, equalTo(false));
    again.release();
    held.release();
    assertThat(held.isDestroyed(), equalTo(true));
  }

  @Test
  void materialMemo_afterInvalidateAllMaterials_isNotUsed() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial held = c.retainMaterial(keyId(1), materialId(1), loader);
    c.invalidateAllMaterials();
    CachedMaterial again = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(again == held, equalTo(false));
    assertThat(loader.made.size(), equalTo(2));
    again.release();
    held.release();
  }

  @Test
  void materialMemo_ofAnotherThread_isDroppedByARemovalOnThisOne() throws Exception {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial[] seen = new CachedMaterial[2];
    CachedMaterial held = c.retainMaterial(keyId(1), materialId(1), loader);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      other.submit(() -> seen[0] = c.retainMaterial(keyId(1), materialId(1), loader)).get();
      seen[0].release();
      c.invalidateAllMaterials(); // on this thread; material 1 is still held here
      other.submit(() -> seen[1] = c.retainMaterial(keyId(1), materialId(1), loader)).get();
    } finally {
      other.shutdown();
    }
    assertThat(seen[0], sameInstance(held));
    assertThat(seen[1] == held, equalTo(false));
    assertThat(seen[1].isDestroyed(), equalTo(false));
    seen[1].release();
    held.release();
  }

  @Test
  void stats_countHitsMissesAndEvictions() {
    KeyCache c = cache(2, 100);
    CountingLoader<KeyId> aliases = new CountingLoader<>(() -> keyId(1));
    MaterialLoader materials = new MaterialLoader();
    c.key(US, keyId(1), keyLoader(US, keyId(1))); // miss
    c.key(US, keyId(1), keyLoader(US, keyId(1))); // hit
    c.alias(US, ALIAS, aliases); // miss
    c.alias(US, ALIAS, aliases); // hit
    c.alias(US, ALIAS, aliases); // hit
    c.retainMaterial(keyId(1), materialId(1), materials).release(); // miss
    c.retainMaterial(keyId(1), materialId(1), materials).release(); // hit
    KeyCacheStats s = c.stats();
    assertThat(s.metadataHits(), equalTo(3L));
    assertThat(s.metadataMisses(), equalTo(2L));
    assertThat(s.materialHits(), equalTo(1L));
    assertThat(s.materialMisses(), equalTo(1L));
    assertThat(s.metadataEvictions(), equalTo(0L));
    assertThat(s.materialEvictions(), equalTo(0L));
    assertThat(s.hitRate(), equalTo(4.0 / 7.0));
  }

  @Test
  void stats_countMetadataEvictionsBySize() {
    KeyCache c = cache(2, 100);
    for (int i = 1; i <= 5; i++) {
      c.key(US, keyId(i), keyLoader(US, keyId(i)));
    }
    assertThat(c.stats().metadataEvictions(), equalTo(3L));
    assertThat(c.stats().metadataMisses(), equalTo(5L));
  }

  @Test
  void stats_expiryCountsAsEvictionAndReloadAsMiss() {
    KeyCache c = cache();
    MaterialLoader loader = new MaterialLoader();
    c.retainMaterial(keyId(1), materialId(1), loader).release();
    advance(TTL);
    c.retainMaterial(keyId(1), materialId(1), loader).release();
    KeyCacheStats s = c.stats();
    assertThat(s.materialMisses(), equalTo(2L));
    assertThat(s.materialHits(), equalTo(0L));
    assertThat(s.materialEvictions(), equalTo(1L));
  }

  @Test
  void stats_invalidationIsNotAnEviction() {
    KeyCache c = cache();
    c.key(US, keyId(1), keyLoader(US, keyId(1)));
    c.invalidateAllMetadata();
    assertThat(c.stats().metadataEvictions(), equalTo(0L));
  }

  @Test
  void statsMinus_givesTheCountsBetweenSnapshots() {
    KeyCache c = cache();
    c.key(US, keyId(1), keyLoader(US, keyId(1)));
    KeyCacheStats before = c.stats();
    c.key(US, keyId(1), keyLoader(US, keyId(1)));
    KeyCacheStats delta = c.stats().minus(before);
    assertThat(delta, equalTo(new KeyCacheStats(1, 0, 0, 0, 0, 0)));
  }

  @Test
  void hitRate_beforeAnyLookup_isOne() {
    assertThat(cache().stats().hitRate(), equalTo(1.0));
  }

  /**
   * "Zero disables caching": every lookup loads, and a retained material is still usable. (The
   * timeout runs the test on its own thread, so a livelock fails the test instead of hanging it.)
   */
  @Test
  @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void zeroTtl_retainMaterial_loadsAUsableMaterialEachTime() {
    KeyCache c = new KeyCache(KeyCacheConfig.builder().ttl(Duration.ZERO).build(), nanos::get);
    MaterialLoader loader = new MaterialLoader();
    CachedMaterial a = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(a.isDestroyed(), equalTo(false));
    a.release();
    CachedMaterial b = c.retainMaterial(keyId(1), materialId(1), loader);
    assertThat(b.isDestroyed(), equalTo(false));
    b.release();
    assertThat(loader.made.size(), equalTo(2));
  }

  @Test
  void zeroTtl_key_loadsEachTime() {
    KeyCache c = new KeyCache(KeyCacheConfig.builder().ttl(Duration.ZERO).build(), nanos::get);
    CountingLoader<CachedKey> loader = keyLoader(US, keyId(1));
    c.key(US, keyId(1), loader);
    c.key(US, keyId(1), loader);
    assertThat(loader.calls.get(), equalTo(2));
  }
}
