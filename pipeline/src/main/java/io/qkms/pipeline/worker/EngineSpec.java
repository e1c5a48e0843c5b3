package io.qkms.pipeline.worker;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a worker needs to open its engine, and nothing secret: the key store directory, the
 * region and principal to call as, and the key cache's bounds. The root key is found on the worker
 * itself ({@code QKMS_ROOT_KEY_FILE}, {@code QKMS_PASSPHRASE}, or {@code <keystore>/root.key}), so
 * it is never part of a DoFn or of the job graph. Workers in one JVM share one engine per equal
 * spec.
 */
public final class EngineSpec implements WorkerKmsSpec {
  private static final long serialVersionUID = 1L;

  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(60);
  public static final int DEFAULT_CACHE_CAPACITY = 10_000;
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(5);

  private final String keystore;
  private final String region;
  private final String principal;
  private final long cacheTtlMillis;
  private final int cacheCapacity;
  private final long storeTimeoutMillis;
  private final ClockSource clock;
  private final String storeResource;

  private EngineSpec(Fields f) {
    this.keystore = f.keystore;
    this.region = f.region;
    this.principal = f.principal;
    this.cacheTtlMillis = f.cacheTtlMillis;
    this.cacheCapacity = f.cacheCapacity;
    this.storeTimeoutMillis = f.storeTimeoutMillis;
    this.clock = f.clock;
    this.storeResource = f.storeResource;
  }

  /**
   * The fields of a spec being made: each with-method copies them, changes one by name and builds a
   * new spec, so no call passes eight positional arguments where two strings could trade places.
   */
  private static final class Fields {
    String keystore;
    String region;
    String principal;
    long cacheTtlMillis = DEFAULT_CACHE_TTL.toMillis();
    int cacheCapacity = DEFAULT_CACHE_CAPACITY;
    long storeTimeoutMillis = DEFAULT_STORE_TIMEOUT.toMillis();
    ClockSource clock;
    String storeResource;

    Fields(String keystore) {
      this.keystore = keystore;
    }

    Fields(EngineSpec s) {
      keystore = s.keystore;
      region = s.region;
      principal = s.principal;
      cacheTtlMillis = s.cacheTtlMillis;
      cacheCapacity = s.cacheCapacity;
      storeTimeoutMillis = s.storeTimeoutMillis;
      clock = s.clock;
      storeResource = s.storeResource;
    }
  }

  /** A copy of this spec with {@code change} made to its fields. */
  private EngineSpec with(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return new EngineSpec(f);
  }

  /** A spec for the key store in {@code keystore} (a directory path as the workers see it). */
  public static EngineSpec of(String keystore) {
    Objects.requireNonNull(keystore, "keystore");
    return new EngineSpec(new Fields(keystore));
  }

  /** The region to call in; null: the store's home region. */
  public EngineSpec withRegion(String region) {
    return with(f -> f.region = region);
  }

  /** The principal ARN to call as; null: the account root. */
  public EngineSpec withPrincipal(String principal) {
    return with(f -> f.principal = principal);
  }

  public EngineSpec withCacheTtl(Duration ttl) {
    return with(f -> f.cacheTtlMillis = ttl.toMillis());
  }

  public EngineSpec withCacheCapacity(int capacity) {
    return with(f -> f.cacheCapacity = capacity);
  }

  public EngineSpec withStoreTimeout(Duration timeout) {
    return with(f -> f.storeTimeoutMillis = timeout.toMillis());
  }

  /** The clock's source; null: the system clock. Tests inject a hand-moved one. */
  public EngineSpec withClock(ClockSource clock) {
    return with(f -> f.clock = clock);
  }

  /**
   * Open the key store shipped with the job as this class path resource (a staged jar, see {@link
   * ShippedKeyStore}) instead of the store in the {@link #keystore()} directory; the root key is
   * still found on the worker as for that directory. Null (the default): the directory's store.
   */
  public EngineSpec withStoreResource(String resource) {
    return with(f -> f.storeResource = resource);
  }

  public String keystore() {
    return keystore;
  }

  public String region() {
    return region;
  }

  public String principal() {
    return principal;
  }

  public Duration cacheTtl() {
    return Duration.ofMillis(cacheTtlMillis);
  }

  public int cacheCapacity() {
    return cacheCapacity;
  }

  public Duration storeTimeout() {
    return Duration.ofMillis(storeTimeoutMillis);
  }

  @Override
  public ClockSource clock() {
    return clock;
  }

  /** The JVM's shared engine for this spec ({@link WorkerEngines#acquire}). */
  @Override
  public WorkerEngine acquire() {
    return WorkerEngines.acquire(this);
  }

  /** The class path resource of a shipped key store, or null. */
  public String storeResource() {
    return storeResource;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EngineSpec s
        && keystore.equals(s.keystore)
        && Objects.equals(region, s.region)
        && Objects.equals(principal, s.principal)
        && cacheTtlMillis == s.cacheTtlMillis
        && cacheCapacity == s.cacheCapacity
        && storeTimeoutMillis == s.storeTimeoutMillis
        && Objects.equals(clock, s.clock)
        && Objects.equals(storeResource, s.storeResource);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        keystore,
        region,
        principal,
        cacheTtlMillis,
        cacheCapacity,
        storeTimeoutMillis,
        clock,
        storeResource);
  }

  @Override
  public String toString() {
    return "EngineSpec[keystore="
        + keystore
        + (storeResource == null ? "" : ", shipped as " + storeResource)
        + ", region="
        + (region == null ? "<home>" : region)
        + ", principal="
        + (principal == null ? "<root>" : principal)
        + ", cacheTtl="
        + cacheTtl()
        + ", cacheCapacity="
        + cacheCapacity
        + "]";
  }
}
