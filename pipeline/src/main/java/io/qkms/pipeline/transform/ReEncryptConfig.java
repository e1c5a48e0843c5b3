package io.qkms.pipeline.transform;

import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.worker.ClockSource;
import io.qkms.pipeline.worker.EngineSpec;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;

/**
 * The settings of a {@link ReEncrypt.Records} transform. Each transform holds its own copy, never
 * changed after the transform is made (every {@code withX} copies), which is what makes the
 * transform immutable.
 */
final class ReEncryptConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  static final int DEFAULT_MAX_ATTEMPTS = 5;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

  /**
   * After this many records in a row (in one worker JVM, with no successful engine call between
   * them) have used up their retries on transient errors, the engine is taken to be down (key store
   * unreadable, root key unavailable) and the work fails, for the runner to retry it or fail the
   * job, instead of dead-lettering the rest of the input slowly.
   */
  static final int DEFAULT_OUTAGE_RECORDS = 5;

  List<FieldRule> fields = List.of();
  String sourceKeyId;
  String destinationKeyId;
  ContextTemplate sourceContext = ContextTemplate.empty();
  ContextTemplate destinationContext = ContextTemplate.empty();
  List<String> grantTokens = List.of();
  String keystore;
  String storeResource;
  String region;
  String principal;
  Duration cacheTtl = EngineSpec.DEFAULT_CACHE_TTL;
  int cacheCapacity = EngineSpec.DEFAULT_CACHE_CAPACITY;
  ClockSource engineClock;
  boolean skipIfCurrent;
  int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  int outageRecords = DEFAULT_OUTAGE_RECORDS;
  double failFastFraction = 1.0; // 1: never
  long failFastMinRecords = FailFast.DEFAULT_MIN_RECORDS;
  ErrorHandler<BadRecord, ?> badRecordErrorHandler;
  String progressLabel;
  Duration progressInterval = Duration.ZERO;
  Backoff.Sleeper sleeper; // null: Thread.sleep; tests observe the waits instead

  ReEncryptConfig copy() {
    ReEncryptConfig c = new ReEncryptConfig();
    c.fields = fields;
    c.sourceKeyId = sourceKeyId;
    c.destinationKeyId = destinationKeyId;
    c.sourceContext = sourceContext;
    c.destinationContext = destinationContext;
    c.grantTokens = grantTokens;
    c.keystore = keystore;
    c.storeResource = storeResource;
    c.region = region;
    c.principal = principal;
    c.cacheTtl = cacheTtl;
    c.cacheCapacity = cacheCapacity;
    c.engineClock = engineClock;
    c.skipIfCurrent = skipIfCurrent;
    c.maxAttempts = maxAttempts;
    c.initialBackoff = initialBackoff;
    c.maxBackoff = maxBackoff;
    c.outageRecords = outageRecords;
    c.failFastFraction = failFastFraction;
    c.failFastMinRecords = failFastMinRecords;
    c.badRecordErrorHandler = badRecordErrorHandler;
    c.progressLabel = progressLabel;
    c.progressInterval = progressInterval;
    c.sleeper = sleeper;
    return c;
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

  /** A field's settings with the defaults filled in. */
  record Resolved(
      FieldPath path,
      String sourceKeyId,
      String destinationKeyId,
      ContextTemplate sourceContext,
      ContextTemplate destinationContext)
      implements Serializable {}

  List<Resolved> resolvedFields() {
    List<Resolved> out = new ArrayList<>();
    for (FieldRule f : fields) {
      out.add(
          new Resolved(
              f.path(),
              f.sourceKeyId() != null ? f.sourceKeyId() : sourceKeyId,
              f.destinationKeyId() != null ? f.destinationKeyId() : destinationKeyId,
              f.sourceContext() != null ? f.sourceContext() : sourceContext,
              f.destinationContext() != null ? f.destinationContext() : destinationContext));
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
}
