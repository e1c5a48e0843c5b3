package io.qkms.pipeline.worker;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine per worker JVM and {@link EngineSpec}, shared by every DoFn instance and thread: its
 * key cache is what makes billions of ReEncrypt calls cheap. Reference-counted: DoFns acquire in
 * {@code @Setup} and release in {@code @Teardown}; the last release closes the engine (wiping
 * cached key material) and the store. Starts no threads, so nothing pins a Flink job's class loader
 * after the job.
 */
public final class WorkerEngines {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerEngines.class);

  private static final ConcurrentHashMap<EngineSpec, Shared> ENGINES = new ConcurrentHashMap<>();

  /** One open engine, its users and the cache figures already reported as metrics. */
  static final class Shared {
    final EngineSpec spec;
    final FileKeyStore store;
    final KmsEngine engine;
    final Caller caller;
    final Path extracted; // the shipped store's private copy, or null
    final AtomicInteger exhaustedInARow = new AtomicInteger();
    int references; // guarded by ENGINES' compute on this spec
    private KeyCacheStats reported;

    Shared(EngineSpec spec, FileKeyStore store, KmsEngine engine, Caller caller, Path extracted) {
      this.spec = spec;
      this.store = store;
      this.engine = engine;
      this.caller = caller;
      this.extracted = extracted;
      this.reported = engine.cacheStats();
    }

    /** Cache counts since the last call (by any user), so that metrics add up across users. */
    synchronized KeyCacheStats takeCacheDelta() {
      KeyCacheStats now = engine.cacheStats();
      KeyCacheStats delta = now.minus(reported);
      reported = now;
      return delta;
    }

    void close() {
      try {
        engine.close();
      } finally {
        store.close();
        if (extracted != null) {
          ShippedKeyStore.delete(extracted);
        }
      }
    }
  }

  private WorkerEngines() {}

  /**
   * The engine for {@code spec}, opened on first use: the key store read-only, with the root key
   * this JVM's environment names.
   *
   * @throws io.qkms.engine.store.file.KeyStoreOpenException if the store cannot be opened
   * @throws IllegalArgumentException if the region or principal does not fit the store
   */
  public static WorkerEngine acquire(EngineSpec spec) {
    Shared shared =
        ENGINES.compute(
            spec,
            (k, existing) -> {
              Shared s = existing != null ? existing : open(k);
              s.references++;
              return s;
            });
    return new WorkerEngine(shared);
  }

  static void release(Shared shared) {
    ENGINES.computeIfPresent(
        shared.spec,
        (k, s) -> {
          if (s != shared) {
            return s;
          }
          if (--s.references > 0) {
            return s;
          }
          s.close();
          LOG.debug("Closed the worker engine for {}", k);
          return null;
        });
  }

  /**
   * How many engines this JVM holds open now over key stores in {@code directory} or below (for
   * tests, which each use a directory of their own, and diagnostics).
   */
  public static int openEnginesUnder(Path directory) {
    Path d = directory.toAbsolutePath().normalize();
    int n = 0;
    for (EngineSpec spec : ENGINES.keySet()) {
      if (Path.of(spec.keystore()).toAbsolutePath().normalize().startsWith(d)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Opens the key store in {@code dir} read-only, its root key found as {@code env} says ({@link
   * RootKeySource#fromEnvironment}); a passphrase is wiped once the store is open or has failed to.
   *
   * @throws io.qkms.engine.store.file.KeyStoreOpenException if it cannot be opened
   */
  public static FileKeyStore openReadOnly(Path dir, Map<String, String> env) {
    return openReadOnly(dir, dir, env);
  }

  /** As {@link #openReadOnly(Path, Map)}, the store's files read from {@code files}. */
  private static FileKeyStore openReadOnly(Path dir, Path files, Map<String, String> env) {
    RootKeySource source = RootKeySource.fromEnvironment(dir, env);
    try {
      return FileKeyStore.open(files, source, FileKeyStore.Mode.READ_ONLY);
    } finally {
      if (source instanceof RootKeySource.Passphrase p) {
        p.wipe();
      }
    }
  }

  private static Shared open(EngineSpec spec) {
    Path dir = Path.of(spec.keystore());
    // A shipped store is opened from a private copy of the job's resource; the root key is looked
    // up as for the directory either way, on this worker.
    Path extracted =
        spec.storeResource() == null ? null : ShippedKeyStore.extract(spec.storeResource());
    FileKeyStore store;
    try {
      store = openReadOnly(dir, extracted != null ? extracted : dir, System.getenv());
    } catch (RuntimeException e) {
      if (extracted != null) {
        ShippedKeyStore.delete(extracted);
      }
      throw e;
    }
    try {
      Clock clock = spec.clock() == null ? Clock.systemUTC() : spec.clock().clock();
      KmsEngine engine =
          KmsEngine.builder()
              .keyStore(store)
              .clock(clock)
              .storeTimeout(spec.storeTimeout())
              .cacheConfig(
                  KeyCacheConfig.builder()
                      .ttl(spec.cacheTtl())
                      .maxKeys(spec.cacheCapacity())
                      .maxMaterials(spec.cacheCapacity())
                      .build())
              .build();
      Caller caller = caller(engine, dir.toString(), spec.region(), spec.principal());
      LOG.debug("Opened a worker engine for {}", spec);
      return new Shared(spec, store, engine, caller, extracted);
    } catch (RuntimeException e) {
      store.close();
      if (extracted != null) {
        ShippedKeyStore.delete(extracted);
      }
      throw e;
    }
  }

  /**
   * Who a job's engine calls as: {@code principal} (null: the account root) in {@code region}
   * (null: the store's home region). The launcher's preflight and the workers apply these same
   * rules, so a job the launcher accepts is not refused by its workers.
   *
   * @param store names the key store in messages
   * @throws IllegalArgumentException if the store has no such region, or the principal is not an
   *     ARN of the store's account
   */
  public static Caller caller(KmsEngine engine, String store, String region, String principal) {
    Region r = region == null ? engine.homeRegion() : Region.of(region);
    if (!engine.regions().contains(r)) {
      throw new IllegalArgumentException(
          "The key store in "
              + store
              + " has no region "
              + r
              + " (it has "
              + engine.regions()
              + ")");
    }
    Principal p =
        principal == null ? Principal.root(engine.accountId()) : Principal.parse(principal);
    if (!p.account().equals(engine.accountId())) {
      throw new IllegalArgumentException(
          "The principal "
              + p
              + " is not of the key store's account "
              + engine.accountId().value());
    }
    return new Caller(p, r);
  }

  /** For tests: the open engines by spec, to check reference counts. */
  static Map<EngineSpec, Shared> engines() {
    return ENGINES;
  }
}
