package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.describe;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.in;
import static org.junit.jupiter.api.Assertions.fail;

import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRotationRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One engine used by many threads while keys change under it. Every wait is bounded: a stuck engine
 * fails the test instead of hanging the build. The fixture is closed only when the workers
 * finished, since closing a deadlocked engine would block too.
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int KEYS = 4;
  private static final int BLOBS_PER_KEY = 5;
  private static final long WAIT_SECONDS = 15;

  /** Daemon threads, so a deadlocked worker cannot keep the test JVM alive. */
  private static ExecutorService daemonPool(int threads) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "concurrency-test-worker");
          t.setDaemon(true);
          return t;
        });
  }

  /** What one of several worker threads does; {@code thread} numbers it from 0. */
  private interface Worker {
    void run(int thread) throws Exception;
  }

  /** Starts {@code threads} workers on {@code pool}; the list may take more futures. */
  private static List<Future<?>> startWorkers(ExecutorService pool, int threads, Worker worker) {
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              (Callable<Void>)
                  () -> {
                    worker.run(thread);
                    return null;
                  }));
    }
    return futures;
  }

  private static void awaitAll(List<Future<?>> futures) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        fail("A worker did not finish within " + WAIT_SECONDS + " s: the engine is stuck");
      } catch (ExecutionException e) {
        throw new AssertionError("A worker failed", e.getCause());
      }
    }
  }

  private static void awaitStart(CountDownLatch start) throws InterruptedException {
    if (!start.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("start gate never opened");
    }
  }

  private static String plaintext(int key, int n) {
    return "k" + key + "-n" + n;
  }

  private static Map<String, String> sourceContext(int key, int n) {
    return ctx("key", "k" + key, "n", Integer.toString(n));
  }

  @Test
  void reEncryptAndDecrypt_manyThreads_whileKeysRotateAndAnotherKeyToggles_allResultsCorrect()
      throws Exception {
    EngineFixture f = new EngineFixture();
    List<KeyMetadata> keys = new ArrayList<>();
    byte[][][] blobs = new byte[KEYS][BLOBS_PER_KEY][];
    for (int k = 0; k < KEYS; k++) {
      keys.add(f.symmetricKey());
      for (int n = 0; n < BLOBS_PER_KEY; n++) {
        blobs[k][n] = f.encrypt(keys.get(k).keyId(), plaintext(k, n), sourceContext(k, n));
      }
    }
    KeyMetadata unrelated = f.symmetricKey();
    Map<String, Set<String>> destinationMaterials = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = daemonPool(THREADS + 1);
    List<Future<?>> futures =
        startWorkers(
            pool,
            THREADS,
            thread -> {
              awaitStart(start);
              for (int j = 0; j < 100; j++) {
                int pick = (thread * 7 + j) % (KEYS * BLOBS_PER_KEY);
                int k = pick / BLOBS_PER_KEY;
                int n = pick % BLOBS_PER_KEY;
                KeyMetadata source = keys.get(k);
                if (j % 2 == 0) {
                  KeyMetadata dest = keys.get((k + 1) % KEYS);
                  Map<String, String> moved = ctx("moved", plaintext(k, n));
                  ReEncryptResponse r =
                      Calls.reEncrypt(
                          f.engine,
                          ROOT,
                          blobs[k][n],
                          source.keyId(),
                          sourceContext(k, n),
                          dest.keyId(),
                          moved);
                  assertThat(r.sourceKeyId(), equalTo(source.arn()));
                  assertThat(r.keyId(), equalTo(dest.arn()));
                  assertThat(r.sourceKeyMaterialId(), equalTo(source.currentKeyMaterialId()));
                  destinationMaterials
                      .computeIfAbsent(dest.keyId(), x -> ConcurrentHashMap.newKeySet())
                      .add(r.destinationKeyMaterialId());
                  assertThat(
                      decrypt(f.engine, ROOT, r.ciphertextBlob(), moved), equalTo(plaintext(k, n)));
                } else {
                  DecryptResponse d =
                      f.engine.decrypt(
                          ROOT,
                          DecryptRequest.builder()
                              .ciphertextBlob(blobs[k][n])
                              .encryptionContext(sourceContext(k, n))
                              .build());
                  assertThat(d.keyId(), equalTo(source.arn()));
                  assertThat(Calls.text(d.plaintext()), equalTo(plaintext(k, n)));
                }
              }
            });
    futures.add(
        pool.submit(
            (Callable<Void>)
                () -> {
                  awaitStart(start);
                  for (int round = 0; round < 9; round++) { // 9 < the on-demand limit of 10
                    for (KeyMetadata k : keys) {
                      f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(k.keyId()));
                    }
                    f.engine.disableKey(ROOT, new DisableKeyRequest(unrelated.keyId()));
                    f.engine.enableKey(ROOT, new EnableKeyRequest(unrelated.keyId()));
                  }
                  return null;
                }));
    start.countDown();
    awaitAll(futures);
    pool.shutdownNow();

    for (KeyMetadata k : keys) {
      List<String> materials =
          f
              .engine
              .listKeyRotations(
                  ROOT, new ListKeyRotationsRequest(k.keyId(), "ALL_KEY_MATERIAL", null, null))
              .rotations()
              .stream()
              .map(RotationsListEntry::keyMaterialId)
              .toList();
      assertThat(materials, hasSize(10));
      assertThat(destinationMaterials.getOrDefault(k.keyId(), Set.of()), everyItem(in(materials)));
    }
    assertThat(describe(f.engine, ROOT, unrelated.keyId()).keyState(), equalTo("Enabled"));
    f.close();
  }

  @Test
  void rotationDatesPassingUnderLoad_dataPathNeverDeadlocks() throws Exception {
    // A cache miss may apply due maintenance (here: automatic rotations) while other threads
    // invalidate the cache; several rounds, because the bad interleaving is a race.
    for (int round = 0; round < 5; round++) {
      rotationDatesPassUnderLoad();
    }
  }

  private void rotationDatesPassUnderLoad() throws Exception {
    EngineFixture f = new EngineFixture();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      String k = f.symmetricKey().keyId();
      f.engine.enableKeyRotation(ROOT, new EnableKeyRotationRequest(k, 90));
      keys.add(k);
    }
    AtomicLong ops = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = daemonPool(THREADS);
    List<Future<?>> futures =
        startWorkers(
            pool,
            THREADS,
            thread -> {
              for (int i = thread; !stop.get(); i++) {
                String key = keys.get(i % keys.size());
                byte[] blob = f.encrypt(key, "p" + i, null);
                assertThat(decrypt(f.engine, ROOT, blob, null), equalTo("p" + i));
                ops.incrementAndGet();
              }
            });
    for (int period = 0; period < 5; period++) {
      awaitProgress(ops, futures);
      f.clock.advance(Duration.ofDays(90)); // every key is due at once
    }
    awaitProgress(ops, futures);
    stop.set(true);
    awaitAll(futures);
    pool.shutdownNow();

    for (String k : keys) {
      // Exactly one automatic rotation per period passed, however many threads noticed it.
      assertThat(
          f.engine
              .listKeyRotations(ROOT, new ListKeyRotationsRequest(k, null, null, null))
              .rotations(),
          hasSize(5));
    }
    f.close();
  }

  /** Waits, bounded, until the workers made some more calls. */
  private static void awaitProgress(AtomicLong ops, List<Future<?>> futures) {
    long target = ops.get() + 200;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (ops.get() < target) {
      for (Future<?> f : futures) {
        if (f.isDone()) {
          try {
            f.get();
          } catch (Exception e) {
            throw new AssertionError("A worker failed", e);
          }
        }
      }
      if (System.nanoTime() > deadline) {
        fail("The workers made no progress for " + WAIT_SECONDS + " s: the engine is stuck");
      }
      Thread.yield();
    }
  }
}
