package io.qkms.pipeline.worker.remote;

import io.qkms.pipeline.worker.ClockSource;
import io.qkms.pipeline.worker.WorkerKmsSpec;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A remote KMS as the workers reach it, and nothing secret: the endpoint URL and region (the
 * credentials come from the AWS SDK's default chain on each worker: {@code AWS_PROFILE}, {@code
 * AWS_SHARED_CREDENTIALS_FILE}, the environment), the job's request budget and how it is split, the
 * calls each worker keeps in flight, the batch size, the retry budgets, the TTL of what is cached
 * (a key's current material) and the job's grant tokens (for the DescribeKey calls the client makes
 * itself; a token names a grant, it opens nothing alone). Workers in one JVM share one client per
 * equal spec.
 */
public final class RemoteSpec implements WorkerKmsSpec {
  private static final long serialVersionUID = 1L;

  public static final int DEFAULT_MAX_IN_FLIGHT = 32;
  public static final int DEFAULT_MAX_ATTEMPTS = 10;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_THROTTLED_RETRIES = 100;
  public static final int DEFAULT_OUTAGE_RECORDS = 5;
  public static final int MAX_BATCH_SIZE = 1_000;

  private final String endpoint;
  private final String region;
  private final String caBundle; // a PEM file on the workers, or null: the JVM's trust store
  private final double maxRequestsPerSecond; // the whole job's; 0: no budget
  private final int workers; // the parallel workers the budget is split among
  private final int maxInFlight;
  private final int batchSize;
  private final long cacheTtlMillis;
  private final int maxAttempts;
  private final long initialBackoffMillis;
  private final long maxBackoffMillis;
  private final int maxThrottledRetries;
  private final int outageRecords;
  private final List<String> grantTokens;
  private final ClockSource clock;

  private RemoteSpec(Builder b) {
    endpoint = b.endpoint;
    region = b.region;
    caBundle = b.caBundle;
    maxRequestsPerSecond = b.maxRequestsPerSecond;
    workers = b.workers;
    maxInFlight = b.maxInFlight;
    batchSize = b.batchSize;
    cacheTtlMillis = b.cacheTtlMillis;
    maxAttempts = b.maxAttempts;
    initialBackoffMillis = b.initialBackoffMillis;
    maxBackoffMillis = b.maxBackoffMillis;
    maxThrottledRetries = b.maxThrottledRetries;
    outageRecords = b.outageRecords;
    grantTokens = b.grantTokens;
    clock = b.clock;
  }

  /**
   * A spec for the endpoint at {@code endpoint} (http or https URL) in {@code region}.
   *
   * @throws IllegalArgumentException if the URL is not an absolute http(s) URL
   */
  public static Builder builder(String endpoint, String region) {
    return new Builder(endpoint, region);
  }

  /** A spec being made. */
  public static final class Builder {
    private final String endpoint;
    private final String region;
    private String caBundle;
    private double maxRequestsPerSecond;
    private int workers = 1;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int batchSize = 1;
    private long cacheTtlMillis = Duration.ofSeconds(60).toMillis();
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private long initialBackoffMillis = DEFAULT_INITIAL_BACKOFF.toMillis();
    private long maxBackoffMillis = DEFAULT_MAX_BACKOFF.toMillis();
    private int maxThrottledRetries = DEFAULT_MAX_THROTTLED_RETRIES;
    private int outageRecords = DEFAULT_OUTAGE_RECORDS;
    private List<String> grantTokens = List.of();
    private ClockSource clock;

    private Builder(String endpoint, String region) {
      this.endpoint = checkEndpoint(endpoint);
      this.region = Objects.requireNonNull(region, "region");
    }

    /**
     * A PEM file of the certificates an https endpoint's certificate must chain to, read on each
     * worker (only this client trusts them); null: the JVM's trust store.
     */
    public Builder caBundle(String v) {
      check(
          v == null || endpoint.startsWith("https:"),
          "caBundle applies to an https endpoint, and " + endpoint + " is not one");
      caBundle = v;
      return this;
    }

    /** The whole job's ReEncrypt operations per second; 0: no budget. */
    public Builder maxRequestsPerSecond(double v) {
      check(v >= 0 && Double.isFinite(v), "maxRequestsPerSecond must be 0 or more, was " + v);
      maxRequestsPerSecond = v;
      return this;
    }

    /** How many parallel workers share the budget (each gets its share). */
    public Builder workers(int v) {
      check(v >= 1, "workers must be at least 1, was " + v);
      workers = v;
      return this;
    }

    public Builder maxInFlight(int v) {
      check(v >= 1 && v <= 10_000, "maxInFlight must be 1..10000, was " + v);
      maxInFlight = v;
      return this;
    }

    /** 1: plain ReEncrypt (AWS KMS); more: QkmsService.BatchReEncrypt of up to this many. */
    public Builder batchSize(int v) {
      check(v >= 1 && v <= MAX_BATCH_SIZE, "batchSize must be 1.." + MAX_BATCH_SIZE + ", was " + v);
      batchSize = v;
      return this;
    }

    public Builder cacheTtl(Duration v) {
      cacheTtlMillis = v.toMillis();
      return this;
    }

    /** Sends of one call before a transient error (not a throttle) fails its record. */
    public Builder maxAttempts(int v) {
      check(v >= 1, "maxAttempts must be at least 1, was " + v);
      maxAttempts = v;
      return this;
    }

    public Builder initialBackoff(Duration v) {
      initialBackoffMillis = v.toMillis();
      return this;
    }

    public Builder maxBackoff(Duration v) {
      maxBackoffMillis = v.toMillis();
      return this;
    }

    /** Throttled answers one call may get before its record is a transient dead letter. */
    public Builder maxThrottledRetries(int v) {
      check(v >= 0, "maxThrottledRetries must be 0 or more, was " + v);
      maxThrottledRetries = v;
      return this;
    }

    /** Records in a row whose retries ran out before the endpoint is taken to be down. */
    public Builder outageRecords(int v) {
      check(v >= 1, "outageRecords must be at least 1, was " + v);
      outageRecords = v;
      return this;
    }

    /** The job's grant tokens, sent with the DescribeKey calls the client makes itself. */
    public Builder grantTokens(List<String> v) {
      grantTokens = v == null ? List.of() : List.copyOf(v);
      return this;
    }

    public Builder clock(ClockSource v) {
      clock = v;
      return this;
    }

    public RemoteSpec build() {
      return new RemoteSpec(this);
    }
  }

  private static String checkEndpoint(String endpoint) {
    URI uri;
    try {
      uri = URI.create(Objects.requireNonNull(endpoint, "endpoint").strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "A KMS endpoint is a URL (http://host:port), was " + endpoint);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null
        || uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "A KMS endpoint is an http or https URL such as http://127.0.0.1:8471, was " + endpoint);
    }
    return uri.toString();
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The JVM's shared client for this spec ({@link RemoteClients#acquire}). */
  @Override
  public RemoteKms acquire() {
    return RemoteClients.acquire(this);
  }

  public String endpoint() {
    return endpoint;
  }

  public String region() {
    return region;
  }

  /** The PEM file of trusted certificates, or null (the JVM's trust store). */
  public String caBundle() {
    return caBundle;
  }

  public double maxRequestsPerSecond() {
    return maxRequestsPerSecond;
  }

  public int workers() {
    return workers;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  public int batchSize() {
    return batchSize;
  }

  public Duration cacheTtl() {
    return Duration.ofMillis(cacheTtlMillis);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return Duration.ofMillis(initialBackoffMillis);
  }

  public Duration maxBackoff() {
    return Duration.ofMillis(maxBackoffMillis);
  }

  public int maxThrottledRetries() {
    return maxThrottledRetries;
  }

  public int outageRecords() {
    return outageRecords;
  }

  /** The job's grant tokens (empty: none). */
  public List<String> grantTokens() {
    return grantTokens;
  }

  @Override
  public ClockSource clock() {
    return clock;
  }

  /** One worker's share of the budget (requests per second), or 0 for none. */
  public double perWorkerRequestsPerSecond() {
    return maxRequestsPerSecond / workers;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RemoteSpec s
        && endpoint.equals(s.endpoint)
        && region.equals(s.region)
        && Objects.equals(caBundle, s.caBundle)
        && maxRequestsPerSecond == s.maxRequestsPerSecond
        && workers == s.workers
        && maxInFlight == s.maxInFlight
        && batchSize == s.batchSize
        && cacheTtlMillis == s.cacheTtlMillis
        && maxAttempts == s.maxAttempts
        && initialBackoffMillis == s.initialBackoffMillis
        && maxBackoffMillis == s.maxBackoffMillis
        && maxThrottledRetries == s.maxThrottledRetries
        && outageRecords == s.outageRecords
        && grantTokens.equals(s.grantTokens)
        && Objects.equals(clock, s.clock);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        endpoint,
        region,
        caBundle,
        maxRequestsPerSecond,
        workers,
        maxInFlight,
        batchSize,
        cacheTtlMillis,
        maxAttempts,
        initialBackoffMillis,
        maxBackoffMillis,
        maxThrottledRetries,
        outageRecords,
        grantTokens,
        clock);
  }

  @Override
  public String toString() {
    return "RemoteSpec[endpoint="
        + endpoint
        + ", region="
        + region
        + (caBundle == null ? "" : ", caBundle=" + caBundle)
        + ", maxRequestsPerSecond="
        + (maxRequestsPerSecond == 0 ? "none" : maxRequestsPerSecond)
        + " over "
        + workers
        + " workers, maxInFlight="
        + maxInFlight
        + ", batchSize="
        + batchSize
        + ", cacheTtl="
        + cacheTtl()
        + (grantTokens.isEmpty() ? "" : ", grantTokens=" + grantTokens.size())
        + "]";
  }
}
