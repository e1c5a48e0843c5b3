package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.BOB;
import static io.qkms.engine.internal.ops.Calls.BOB_ARN;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.allow;
import static io.qkms.engine.internal.ops.Calls.assertBobMayNotEncrypt;
import static io.qkms.engine.internal.ops.Calls.assertDisabled;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.materialOf;
import static io.qkms.engine.internal.ops.Calls.policy;
import static io.qkms.engine.internal.ops.Calls.rootMayDoAll;
import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's key cache seen from outside: how long another process's change takes to arrive, that
 * local changes arrive at once, the hit/miss counters, the engine builder's checks, and a cache far
 * too small for its load. {@code KeyCacheConfig}'s own checks are in {@code KeyCacheConfigTest}.
 */
class KeyCacheBehaviourTest {
  private static final Duration JUST_UNDER_TTL = EngineFixture.CACHE_TTL.minusMillis(1);
  private static final Map<String, String> CTX = ctx("app", "billing");

  @RegisterExtension final EngineFixture f = new EngineFixture();

  // ---- Another process's changes arrive after the TTL ----------------------------------------

  /** A new key this engine has used, so holds in its cache: the TTL counts from here. */
  private KeyMetadata cachedKey() {
    KeyMetadata m = f.symmetricKey();
    f.encrypt(m.keyId(), "cache the key", CTX);
    return m;
  }

  /** Disables the key through a second engine over the same store, as another process would. */
  private void disableFromAnotherEngine(KeyMetadata m) {
    try (KmsEngine other = Calls.secondEngine(f)) {
      other.disableKey(ROOT, new DisableKeyRequest(m.keyId()));
    }
  }

  @Test
  void disableKeyByAnotherEngine_beforeTheTtl_encryptStillWorks() {
    KeyMetadata m = cachedKey();
    disableFromAnotherEngine(m);

    f.clock.advance(JUST_UNDER_TTL);

    byte[] blob = f.encrypt(m.keyId(), "still allowed", CTX);
    assertThat(decrypt(f.engine, ROOT, blob, CTX), equalTo("still allowed"));
  }

  @Test
  void disableKeyByAnotherEngine_afterTheTtl_isDisabled() {
    KeyMetadata m = cachedKey();
    disableFromAnotherEngine(m);

    f.clock.advance(EngineFixture.CACHE_TTL.plusSeconds(1));

    assertDisabled(m, () -> f.encrypt(m.keyId(), "too late", CTX));
  }

  @Test
  void disableKeyByAnotherEngine_usedEveryMomentUpToTheTtl_isDisabledAtTheTtl() {
    KeyMetadata m = cachedKey();
    disableFromAnotherEngine(m);
    for (int i = 0; i < 4; i++) {
      f.clock.advance(JUST_UNDER_TTL.dividedBy(4));
      f.encrypt(m.keyId(), "still allowed", CTX); // repeated use does not extend the key's life
    }
    f.clock.advance(EngineFixture.CACHE_TTL.minus(JUST_UNDER_TTL.dividedBy(4).multipliedBy(4)));

    assertDisabled(m, () -> f.encrypt(m.keyId(), "too late", CTX));
  }

  @Test
  void disableKeyLocally_takesEffectAtOnce() {
    KeyMetadata m = cachedKey();

    f.engine.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

    assertDisabled(m, () -> f.encrypt(m.keyId(), "refused", CTX));
  }

  /** Rotates the key through {@code other}; returns the new material's ID. */
  private static String rotateThrough(KmsEngine other, KeyMetadata m) {
    other.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(m.keyId()));
    return Calls.describe(other, ROOT, m.keyId()).currentKeyMaterialId();
  }

  @Test
  void rotationByAnotherEngine_reachesTheDataPathAfterTheTtl() {
    KeyMetadata m = cachedKey();
    try (KmsEngine other = Calls.secondEngine(f)) {
      String rotated = rotateThrough(other, m);

      byte[] before = f.encrypt(m.keyId(), "before", CTX);
      f.clock.advance(EngineFixture.CACHE_TTL.plusSeconds(1));
      byte[] after = f.encrypt(m.keyId(), "after", CTX);

      assertThat(materialOf(f.engine, ROOT, before, CTX), equalTo(m.currentKeyMaterialId()));
      assertThat(materialOf(f.engine, ROOT, after, CTX), equalTo(rotated));
    }
  }

  @Test
  void ciphertextUnderAnotherEnginesNewMaterial_decryptsAtOnce() {
    KeyMetadata m = cachedKey();
    try (KmsEngine other = Calls.secondEngine(f)) {
      String rotated = rotateThrough(other, m);
      byte[] fresh = encrypt(other, ROOT, m.keyId(), "new", CTX);

      // Within the TTL: the cached key does not know the material, so the engine reloads it once.
      assertThat(materialOf(f.engine, ROOT, fresh, CTX), equalTo(rotated));
    }
  }

  @Test
  void policyChangeByAnotherEngine_reachesTheDataPathAfterTheTtl() {
    KeyMetadata m =
        Calls.create(
            f.engine,
            ROOT,
            CreateKeyRequest.builder()
                .policy(policy(rootMayDoAll(), allow(BOB_ARN, "kms:Encrypt")))
                .build());
    encrypt(f.engine, BOB, m.keyId(), "cache the key", null);
    try (KmsEngine other = Calls.secondEngine(f)) {
      other.putKeyPolicy(
          ROOT, new PutKeyPolicyRequest(m.keyId(), null, policy(rootMayDoAll()), null));

      encrypt(f.engine, BOB, m.keyId(), "within the TTL", null);
      f.clock.advance(EngineFixture.CACHE_TTL.plusSeconds(1));

      assertBobMayNotEncrypt(f.engine, m);
    }
  }

  @Test
  void ttlZero_encryptAndDecryptComplete_andEveryLookupMisses() {
    KeyMetadata m = f.symmetricKey();
    KmsEngine uncached = Calls.secondEngine(f, KeyCacheConfig.builder().ttl(Duration.ZERO).build());

    // Bounded: a material that expires as it is loaded once made this loop forever.
    String roundTrip =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                decrypt(
                    uncached, ROOT, encrypt(uncached, ROOT, m.keyId(), "never cached", CTX), CTX));

    assertThat(roundTrip, equalTo("never cached"));
    KeyCacheStats s = uncached.cacheStats();
    assertThat(s.metadataMisses(), equalTo(2L));
    assertThat(s.materialMisses(), equalTo(2L));
    assertThat(s.metadataHits() + s.materialHits(), equalTo(0L));
    uncached.close();
  }

  @Test
  void ttlZero_anotherEnginesDisableKeyArrivesAtOnce() {
    KeyMetadata m = f.symmetricKey();
    KmsEngine uncached = Calls.secondEngine(f, KeyCacheConfig.builder().ttl(Duration.ZERO).build());
    assertTimeoutPreemptively(
        Duration.ofSeconds(10), () -> encrypt(uncached, ROOT, m.keyId(), "loads the key", CTX));
    try (KmsEngine other = Calls.secondEngine(f)) {
      other.disableKey(ROOT, new DisableKeyRequest(m.keyId()));

      assertDisabled(m, () -> encrypt(uncached, ROOT, m.keyId(), "x", CTX));
    }
    uncached.close();
  }

  // ---- Counters ------------------------------------------------------------------------------

  @Test
  void cacheStats_firstEncrypt_missesKeyAndMaterial() {
    KeyMetadata m = f.symmetricKey();
    KeyCacheStats before = f.engine.cacheStats();

    f.encrypt(m.keyId(), "first", CTX);

    assertThat(f.engine.cacheStats().minus(before), equalTo(new KeyCacheStats(0, 1, 0, 0, 1, 0)));
  }

  @Test
  void cacheStats_laterCalls_hitKeyAndMaterial() {
    KeyMetadata m = f.symmetricKey();
    byte[] blob = f.encrypt(m.keyId(), "first", CTX);
    KeyCacheStats before = f.engine.cacheStats();

    f.encrypt(m.keyId(), "second", CTX);
    decrypt(f.engine, ROOT, blob, CTX);

    assertThat(f.engine.cacheStats().minus(before), equalTo(new KeyCacheStats(2, 0, 0, 2, 0, 0)));
  }

  @Test
  void cacheStats_aliasResolution_isCountedAsMetadata() {
    KeyMetadata m = f.symmetricKey();
    f.engine.createAlias(ROOT, new CreateAliasRequest("alias/billing", m.keyId()));
    KeyCacheStats before = f.engine.cacheStats();

    f.encrypt("alias/billing", "first", CTX);
    f.encrypt("alias/billing", "second", CTX);

    KeyCacheStats delta = f.engine.cacheStats().minus(before);
    assertThat(delta.metadataMisses(), equalTo(2L)); // the alias and the key, once each
    assertThat(delta.metadataHits(), equalTo(2L));
  }

  @Test
  void cacheStats_afterTheTtl_missesAgain() {
    KeyMetadata m = f.symmetricKey();
    f.encrypt(m.keyId(), "first", CTX);
    f.clock.advance(EngineFixture.CACHE_TTL.plusSeconds(1));
    KeyCacheStats before = f.engine.cacheStats();

    f.encrypt(m.keyId(), "after expiry", CTX);

    KeyCacheStats delta = f.engine.cacheStats().minus(before);
    assertThat(delta.metadataMisses(), equalTo(1L));
    assertThat(delta.materialMisses(), equalTo(1L));
    assertThat(delta.metadataHits() + delta.materialHits(), equalTo(0L));
  }

  @Test
  void cacheStats_localWrite_makesTheNextCallMissMetadataButNotMaterial() {
    KeyMetadata m = f.symmetricKey();
    f.encrypt(m.keyId(), "first", CTX);
    f.engine.disableKey(ROOT, new DisableKeyRequest(f.symmetricKey().keyId()));
    KeyCacheStats before = f.engine.cacheStats();

    f.encrypt(m.keyId(), "after a write", CTX);

    assertThat(f.engine.cacheStats().minus(before), equalTo(new KeyCacheStats(0, 1, 0, 1, 0, 0)));
  }

  @Test
  void hitRate_withNoLookups_isOne() {
    try (KmsEngine fresh = Calls.secondEngine(f)) {
      assertThat(fresh.cacheStats().hitRate(), equalTo(1.0));
    }
  }

  // ---- The engine builder's checks ----------------------------------------------------------

  @Test
  void engineBuilder_zeroStoreTimeout_isRejected() {
    assertRefused(
        () -> KmsEngine.builder().storeTimeout(Duration.ZERO),
        "storeTimeout must be positive, was PT0S");
  }

  @Test
  void engineBuilder_withoutKeyStore_isRejected() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> KmsEngine.builder().build());
    assertThat(e.getMessage(), equalTo("keyStore(...) is required"));
  }

  // ---- A cache far too small -----------------------------------------------------------------

  @Test
  void tinyCache_manyThreadsManyKeysAndMaterials_everyResultIsCorrect() throws Exception {
    // One material slot for 4 keys x 3 materials: every call evicts one another's material, which
    // must never be wiped while a thread is still using it.
    List<KeyMetadata> keys = new ArrayList<>();
    List<byte[]> blobs = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      KeyMetadata m = f.symmetricKey();
      keys.add(m);
      for (int r = 0; r < 3; r++) {
        String text = "key " + k + " material " + r;
        blobs.add(f.encrypt(m.keyId(), text, CTX));
        texts.add(text);
        if (r < 2) {
          f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(m.keyId()));
        }
      }
    }
    KmsEngine tiny =
        Calls.secondEngine(
            f,
            KeyCacheConfig.builder().maxKeys(2).maxMaterials(1).ttl(Duration.ofMinutes(5)).build());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "tiny-cache-worker");
              t.setDaemon(true);
              return t;
            });
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              (Callable<Void>)
                  () -> {
                    if (!start.await(10, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("start gate never opened");
                    }
                    for (int j = 0; j < 100; j++) {
                      int i = (thread * 5 + j) % blobs.size();
                      KeyMetadata dest = keys.get((i / 3 + 1) % keys.size());
                      if (j % 2 == 0) {
                        assertThat(decrypt(tiny, ROOT, blobs.get(i), CTX), equalTo(texts.get(i)));
                      } else {
                        ReEncryptResponse r =
                            Calls.reEncrypt(
                                tiny, ROOT, blobs.get(i), null, CTX, dest.keyId(), null);
                        assertThat(r.keyId(), equalTo(dest.arn()));
                        assertThat(
                            decrypt(tiny, ROOT, r.ciphertextBlob(), null), equalTo(texts.get(i)));
                      }
                    }
                    return null;
                  }));
    }
    start.countDown();
    for (Future<?> fu : futures) {
      try {
        fu.get(30, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("A worker did not finish within 30 s: the engine is stuck");
      } catch (ExecutionException e) {
        throw new AssertionError("A worker failed", e.getCause());
      }
    }
    pool.shutdownNow();

    assertThat(tiny.cacheStats().materialEvictions(), greaterThan(0L));
    tiny.close();
  }
}
