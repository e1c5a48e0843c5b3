package io.qkms.pipeline.transform;

import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.worker.ClockSource;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerKmsSpec;
import io.qkms.pipeline.worker.remote.RemoteSpec;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;

/**
 * The settings of a {@link ReEncrypt.Records} transform: immutable, made by a {@link Builder}
 * (every {@code withX} of the transform builds a changed copy). What the workers run with is taken
 * from it when the transform is applied: the engine spec, the resolved fields, the retry policy.
 */
final class ReEncryptConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  final List<FieldRule> fields;
  final String sourceKeyId;
  final String destinationKeyId;
  final ContextTemplate sourceContext;
  final ContextTemplate destinationContext;
  final List<String> grantTokens;
  final String keystore;
  final String storeResource;
  final String region;
  final String principal;
  final Duration cacheTtl;
  final int cacheCapacity;
  final ClockSource engineClock;
  final boolean skipIfCurrent;
  final Selection selection;
  final RetryPolicy retry;
  final double failFastFraction; // 1: never
  final long failFastMinRecords;
  final ErrorHandler<BadRecord, ?> badRecordErrorHandler;
  final String progressLabel; // null: no progress lines
  final Duration progressInterval;
  final boolean retryChanged; // withMaxAttempts/withInitialBackoff were given
  // A remote KMS (kmsEndpoint set) instead of a key store.
  final String kmsEndpoint;
  final String kmsCaBundle; // a path on the workers, or null: the JVM's trust store
  final double kmsMaxRequestsPerSecond; // the whole job's; 0: none
  final int kmsWorkers; // how many workers share it; 0: from the pipeline's options
  final int kmsMaxInFlight;
  final int kmsBatchSize;
  final int kmsMaxThrottledRetries;

  private ReEncryptConfig(Builder b) {
    fields = List.copyOf(b.fields);
    sourceKeyId = b.sourceKeyId;
    destinationKeyId = b.destinationKeyId;
    sourceContext = b.sourceContext;
    destinationContext = b.destinationContext;
    grantTokens = List.copyOf(b.grantTokens);
    keystore = b.keystore;
    storeResource = b.storeResource;
    region = b.region;
    principal = b.principal;
    cacheTtl = b.cacheTtl;
    cacheCapacity = b.cacheCapacity;
    engineClock = b.engineClock;
    skipIfCurrent = b.skipIfCurrent;
    selection = b.selection;
    retry = b.retry;
    failFastFraction = b.failFastFraction;
    failFastMinRecords = b.failFastMinRecords;
    badRecordErrorHandler = b.badRecordErrorHandler;
    progressLabel = b.progressLabel;
    progressInterval = b.progressInterval;
    retryChanged = b.retryChanged;
    kmsEndpoint = b.kmsEndpoint;
    kmsCaBundle = b.kmsCaBundle;
    kmsMaxRequestsPerSecond = b.kmsMaxRequestsPerSecond;
    kmsWorkers = b.kmsWorkers;
    kmsMaxInFlight = b.kmsMaxInFlight;
    kmsBatchSize = b.kmsBatchSize;
    kmsMaxThrottledRetries = b.kmsMaxThrottledRetries;
  }

  /** The defaults: no fields, no contexts, the default cache, retries and no fail-fast. */
  static ReEncryptConfig defaults() {
    return new Builder().build();
  }

  Builder toBuilder() {
    return new Builder(this);
  }

  /** What the workers open their engine with. */
  EngineSpec engineSpec() {
    return EngineSpec.of(keystore)
        .withRegion(region)
        .withPrincipal(principal)
        .withCacheTtl(cacheTtl)
        .withCacheCapacity(cacheCapacity)
        .withClock(engineClock)
        .withStoreResource(storeResource);
  }

  /** What the workers open: the embedded engine over the key store, or the remote endpoint. */
  WorkerKmsSpec workerSpec() {
    return kmsEndpoint == null ? engineSpec() : remoteSpec();
  }

  /**
   * The remote endpoint as the workers reach it. The retries are the remote defaults (more
   * attempts, longer waits: an endpoint restarts in seconds) unless they were set.
   */
  RemoteSpec remoteSpec() {
    RemoteSpec.Builder b =
        RemoteSpec.builder(kmsEndpoint, region)
            .caBundle(kmsCaBundle)
            .maxRequestsPerSecond(kmsMaxRequestsPerSecond)
            .workers(Math.max(1, kmsWorkers))
            .maxInFlight(kmsMaxInFlight)
            .batchSize(kmsBatchSize)
            .maxThrottledRetries(kmsMaxThrottledRetries)
            .cacheTtl(cacheTtl)
            .outageRecords(retry.outageRecords())
            .grantTokens(grantTokens)
            .clock(engineClock);
    if (retryChanged) {
      b.maxAttempts(retry.maxAttempts()).initialBackoff(retry.initialBackoff());
    }
    return b.build();
  }

  /** A field's settings with the defaults filled in. */
  record Resolved(
      FieldPath path,
      String sourceKeyId,
      String destinationKeyId,
      ContextTemplate sourceContext,
      ContextTemplate destinationContext,
      FieldEncoding encoding)
      implements Serializable {}

  /**
   * The fields with the defaults filled in. A {@code tink-envelope} field's data key is encrypted
   * with the empty context (Tink's), whatever the default contexts are.
   */
  List<Resolved> resolvedFields() {
    List<Resolved> out = new ArrayList<>();
    for (FieldRule f : fields) {
      FieldEncoding encoding = f.encoding() != null ? f.encoding() : FieldEncoding.QKMS;
      boolean tink = encoding == FieldEncoding.TINK_ENVELOPE;
      out.add(
          new Resolved(
              f.path(),
              f.sourceKeyId() != null ? f.sourceKeyId() : sourceKeyId,
              f.destinationKeyId() != null ? f.destinationKeyId() : destinationKeyId,
              tink
                  ? ContextTemplate.empty()
                  : f.sourceContext() != null ? f.sourceContext() : sourceContext,
              tink
                  ? ContextTemplate.empty()
                  : f.destinationContext() != null ? f.destinationContext() : destinationContext,
              encoding));
    }
    return out;
  }

  /** Every field the resolved contexts refer to, each once. */
  static List<FieldPath> references(List<Resolved> fields) {
    Set<FieldPath> refs = new LinkedHashSet<>();
    for (Resolved r : fields) {
      refs.addAll(r.sourceContext().references());
      refs.addAll(r.destinationContext().references());
    }
    return List.copyOf(refs);
  }

  /** A config being made; {@link #build()} copies it. */
  static final class Builder {
    private List<FieldRule> fields = List.of();
    private String sourceKeyId;
    private String destinationKeyId;
    private ContextTemplate sourceContext = ContextTemplate.empty();
    private ContextTemplate destinationContext = ContextTemplate.empty();
    private List<String> grantTokens = List.of();
    private String keystore;
    private String storeResource;
    private String region;
    private String principal;
    private Duration cacheTtl = EngineSpec.DEFAULT_CACHE_TTL;
    private int cacheCapacity = EngineSpec.DEFAULT_CACHE_CAPACITY;
    private ClockSource engineClock;
    private boolean skipIfCurrent;
    private Selection selection = Selection.all();
    private RetryPolicy retry = RetryPolicy.defaults();
    private double failFastFraction = 1.0;
    private long failFastMinRecords = FailFast.DEFAULT_MIN_RECORDS;
    private ErrorHandler<BadRecord, ?> badRecordErrorHandler;
    private String progressLabel;
    private Duration progressInterval = Duration.ZERO;
    private boolean retryChanged;
    private String kmsEndpoint;
    private String kmsCaBundle;
    private double kmsMaxRequestsPerSecond;
    private int kmsWorkers;
    private int kmsMaxInFlight = RemoteSpec.DEFAULT_MAX_IN_FLIGHT;
    private int kmsBatchSize = 1;
    private int kmsMaxThrottledRetries = RemoteSpec.DEFAULT_MAX_THROTTLED_RETRIES;

    private Builder() {}

    private Builder(ReEncryptConfig c) {
      fields = c.fields;
      sourceKeyId = c.sourceKeyId;
      destinationKeyId = c.destinationKeyId;
      sourceContext = c.sourceContext;
      destinationContext = c.destinationContext;
      grantTokens = c.grantTokens;
      keystore = c.keystore;
      storeResource = c.storeResource;
      region = c.region;
      principal = c.principal;
      cacheTtl = c.cacheTtl;
      cacheCapacity = c.cacheCapacity;
      engineClock = c.engineClock;
      skipIfCurrent = c.skipIfCurrent;
      selection = c.selection;
      retry = c.retry;
      failFastFraction = c.failFastFraction;
      failFastMinRecords = c.failFastMinRecords;
      badRecordErrorHandler = c.badRecordErrorHandler;
      progressLabel = c.progressLabel;
      progressInterval = c.progressInterval;
      retryChanged = c.retryChanged;
      kmsEndpoint = c.kmsEndpoint;
      kmsCaBundle = c.kmsCaBundle;
      kmsMaxRequestsPerSecond = c.kmsMaxRequestsPerSecond;
      kmsWorkers = c.kmsWorkers;
      kmsMaxInFlight = c.kmsMaxInFlight;
      kmsBatchSize = c.kmsBatchSize;
      kmsMaxThrottledRetries = c.kmsMaxThrottledRetries;
    }

    Builder addFields(List<FieldRule> added) {
      List<FieldRule> all = new ArrayList<>(fields);
      all.addAll(added);
      fields = all;
      return this;
    }

    Builder sourceKeyId(String v) {
      sourceKeyId = v;
      return this;
    }

    Builder destinationKeyId(String v) {
      destinationKeyId = v;
      return this;
    }

    Builder sourceContext(ContextTemplate v) {
      sourceContext = v;
      return this;
    }

    Builder destinationContext(ContextTemplate v) {
      destinationContext = v;
      return this;
    }

    Builder grantTokens(List<String> v) {
      grantTokens = v;
      return this;
    }

    Builder keystore(String v) {
      keystore = v;
      return this;
    }

    Builder storeResource(String v) {
      storeResource = v;
      return this;
    }

    Builder region(String v) {
      region = v;
      return this;
    }

    Builder principal(String v) {
      principal = v;
      return this;
    }

    Builder cacheTtl(Duration v) {
      cacheTtl = v;
      return this;
    }

    Builder cacheCapacity(int v) {
      cacheCapacity = v;
      return this;
    }

    Builder engineClock(ClockSource v) {
      engineClock = v;
      return this;
    }

    Builder skipIfCurrent(boolean v) {
      skipIfCurrent = v;
      return this;
    }

    Builder selection(Selection v) {
      selection = v;
      return this;
    }

    Builder retry(RetryPolicy v) {
      retry = v;
      return this;
    }

    Builder failFast(double fraction, long minRecords) {
      failFastFraction = fraction;
      failFastMinRecords = minRecords;
      return this;
    }

    Builder badRecordErrorHandler(ErrorHandler<BadRecord, ?> v) {
      badRecordErrorHandler = v;
      return this;
    }

    Builder progress(String label, Duration interval) {
      progressLabel = label;
      progressInterval = interval;
      return this;
    }

    Builder retryChanged() {
      retryChanged = true;
      return this;
    }

    Builder kmsEndpoint(String v) {
      kmsEndpoint = v;
      return this;
    }

    Builder kmsCaBundle(String v) {
      kmsCaBundle = v;
      return this;
    }

    Builder kmsMaxRequestsPerSecond(double v) {
      kmsMaxRequestsPerSecond = v;
      return this;
    }

    Builder kmsWorkers(int v) {
      kmsWorkers = v;
      return this;
    }

    Builder kmsMaxInFlight(int v) {
      kmsMaxInFlight = v;
      return this;
    }

    Builder kmsBatchSize(int v) {
      kmsBatchSize = v;
      return this;
    }

    Builder kmsMaxThrottledRetries(int v) {
      kmsMaxThrottledRetries = v;
      return this;
    }

    ReEncryptConfig build() {
      return new ReEncryptConfig(this);
    }
  }
}
