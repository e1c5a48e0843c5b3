package io.qkms.pipeline.transform;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldException;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.RecordAccessor;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.fields.RecordView;
import io.qkms.pipeline.report.Progress;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerEngines;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The worker side of {@link ReEncrypt}: scans each record, calls the JVM's shared engine for every
 * ciphertext, and emits the rebuilt record or, if any field fails, the original as a failure.
 * Everything reusable (the engine lease, the compiled accessor, the scan buffers, the contexts'
 * resolvers) is made once per instance in {@code @Setup}. Counters are kept locally and added to
 * Beam's metrics in batches, and at the end of every bundle.
 */
final class ReEncryptFn<T> extends DoFn<T, T> {
  private static final long serialVersionUID = 1L;
  private static final int FLUSH_EVERY = 4096;

  private final ReEncryptConfig config;
  private final List<ReEncryptConfig.Resolved> fields;
  private final List<FieldPath> references;
  private final RecordFormat<T> format;
  private final TupleTag<T> recordsTag;
  private final TupleTag<DeadLetter<T>> failuresTag;
  private final EngineSpec spec;
  private final Backoff backoff;

  // Per instance, made in @Setup.
  private transient WorkerEngine engine;
  private transient Clock clock;
  private transient RecordAccessor<T> accessor;
  private transient RecordView view;
  private transient String[] paths;
  private transient String[] sourceKeys;
  private transient String[] destinationKeys;
  private transient ContextTemplate.Resolver[] sourceContexts;
  private transient ContextTemplate.Resolver[] destinationContexts;
  private transient Map<String, String>[] resolvedSource;
  private transient Map<String, String>[] resolvedDestination;
  private transient boolean[] resolved;
  private transient List<String> grantTokens;
  private transient byte[][] replacements;
  private transient Backoff.Sleeper sleeper;
  private transient Progress progress;
  private transient Counts counts;
  private transient Map<String, Counter> failedByCode;
  private transient FailFast failFast;

  /** Local counts, added to the metrics by {@link #flush()}. */
  private static final class Counts {
    long recordsIn;
    long recordsReEncrypted;
    long recordsSkipped;
    long recordsPassedThrough;
    long recordsFailed;
    long recordsFailedTransient;
    long fieldsReEncrypted;
    long fieldsSkipped;
    long fieldsNull;
    long retries;
    final Map<String, Long> failedByCode = new HashMap<>();
  }

  private final Counter recordsIn = counter(ReKeyMetrics.RECORDS_IN);
  private final Counter recordsReEncrypted = counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED);
  private final Counter recordsSkipped = counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT);
  private final Counter recordsPassedThrough = counter(ReKeyMetrics.RECORDS_PASSED_THROUGH);
  private final Counter recordsFailed = counter(ReKeyMetrics.RECORDS_FAILED);
  private final Counter recordsFailedTransient = counter(ReKeyMetrics.RECORDS_FAILED_TRANSIENT);
  private final Counter fieldsReEncrypted = counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED);
  private final Counter fieldsSkipped = counter(ReKeyMetrics.FIELDS_SKIPPED_AS_CURRENT);
  private final Counter fieldsNull = counter(ReKeyMetrics.FIELDS_NULL);
  private final Counter retries = counter(ReKeyMetrics.RETRIES);
  private final Counter metadataHits = counter(ReKeyMetrics.CACHE_METADATA_HITS);
  private final Counter metadataMisses = counter(ReKeyMetrics.CACHE_METADATA_MISSES);
  private final Counter metadataEvictions = counter(ReKeyMetrics.CACHE_METADATA_EVICTIONS);
  private final Counter materialHits = counter(ReKeyMetrics.CACHE_MATERIAL_HITS);
  private final Counter materialMisses = counter(ReKeyMetrics.CACHE_MATERIAL_MISSES);
  private final Counter materialEvictions = counter(ReKeyMetrics.CACHE_MATERIAL_EVICTIONS);
  private final Distribution activeMillis =
      Metrics.distribution(ReKeyMetrics.NAMESPACE, ReKeyMetrics.ACTIVE_MILLIS);

  ReEncryptFn(
      ReEncryptConfig config,
      List<ReEncryptConfig.Resolved> fields,
      List<FieldPath> references,
      RecordFormat<T> format,
      TupleTag<T> recordsTag,
      TupleTag<DeadLetter<T>> failuresTag) {
    this.config = config;
    this.fields = List.copyOf(fields);
    this.references = List.copyOf(references);
    this.format = format;
    this.recordsTag = recordsTag;
    this.failuresTag = failuresTag;
    this.spec = config.engineSpec();
    this.backoff = new Backoff(config.maxAttempts, config.initialBackoff, config.maxBackoff);
  }

  private static Counter counter(String name) {
    return Metrics.counter(ReKeyMetrics.NAMESPACE, name);
  }

  @Setup
  @SuppressWarnings("unchecked")
  public void setup() {
    int n = fields.size();
    paths = new String[n];
    sourceKeys = new String[n];
    destinationKeys = new String[n];
    sourceContexts = new ContextTemplate.Resolver[n];
    destinationContexts = new ContextTemplate.Resolver[n];
    List<FieldPath> targets = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      ReEncryptConfig.Resolved f = fields.get(i);
      targets.add(f.path());
      paths[i] = f.path().toString();
      sourceKeys[i] = f.sourceKeyId();
      destinationKeys[i] = f.destinationKeyId();
      sourceContexts[i] = f.sourceContext().bind(references);
      destinationContexts[i] = f.destinationContext().bind(references);
    }
    resolvedSource = new Map[n];
    resolvedDestination = new Map[n];
    resolved = new boolean[n];
    grantTokens = config.grantTokens.isEmpty() ? null : config.grantTokens;
    accessor = format.compile(targets, references);
    view = new RecordView();
    replacements = new byte[8][];
    sleeper = config.sleeper != null ? config.sleeper : Backoff.THREAD_SLEEP;
    counts = new Counts();
    failedByCode = new HashMap<>();
    failFast = new FailFast(config.failFastFraction, config.failFastMinRecords);
    if (config.progressLabel != null) {
      progress = Progress.of(config.progressLabel, config.progressInterval);
    }
    engine = WorkerEngines.acquire(spec);
    clock = spec.clock() == null ? Clock.systemUTC() : spec.clock().clock();
  }

  @ProcessElement
  public void process(@Element T record, MultiOutputReceiver out) {
    if (counts.recordsIn == 0) {
      activeMillis.update(System.currentTimeMillis());
    }
    counts.recordsIn++;
    try {
      handle(record, out);
      failFast.check();
    } finally {
      if (counts.recordsIn % FLUSH_EVERY == 0) {
        flush();
      }
    }
  }

  private void handle(T record, MultiOutputReceiver out) {
    try {
      accessor.scan(record, view);
    } catch (FieldException e) {
      fail(out, record, e.fieldPath(), e.code(), e.getMessage(), null, 0);
      return;
    }
    int size = view.size();
    if (replacements.length < size) {
      replacements = new byte[Math.max(size, replacements.length * 2)][];
    }
    Arrays.fill(resolved, false);
    Arrays.fill(replacements, 0, size, null);
    int reEncrypted = 0;
    int skipped = 0;
    for (int i = 0; i < size; i++) {
      int t = view.target(i);
      byte[] blob = view.ciphertext(i);
      try {
        if (!resolved[t]) {
          resolvedSource[t] = sourceContexts[t].resolve(view);
          resolvedDestination[t] = destinationContexts[t].resolve(view);
          resolved[t] = true;
        }
      } catch (FieldException e) {
        fail(out, record, paths[t], e.code(), e.getMessage(), sourceKeyArn(blob), 0);
        return;
      }
      int attempt = 0;
      while (true) {
        attempt++;
        try {
          if (config.skipIfCurrent && isCurrent(t, blob)) {
            skipped++;
          } else {
            replacements[i] =
                engine.reEncrypt(
                    blob,
                    sourceKeys[t],
                    resolvedSource[t],
                    destinationKeys[t],
                    resolvedDestination[t],
                    grantTokens);
            reEncrypted++;
          }
          engine.noteAnswered();
          break;
        } catch (KmsException e) {
          if (!e.isRetryable()) {
            engine.noteAnswered();
            fail(out, record, paths[t], e.errorCode(), e.getMessage(), sourceKeyArn(blob), attempt);
            return;
          }
          if (attempt >= backoff.maxAttempts()) {
            int inARow = engine.noteExhausted();
            if (inARow >= config.outageRecords) {
              // The engine is down, not this record: fail the work (the runner retries it or
              // fails the job) rather than dead-letter the rest of the input one slow record
              // at a time. The message names the error, never a value.
              throw new IllegalStateException(
                  "The QKMS engine failed "
                      + inARow
                      + " records in a row after "
                      + attempt
                      + " attempts each: "
                      + e.errorCode()
                      + ": "
                      + e.getMessage(),
                  e);
            }
            counts.recordsFailedTransient++;
            fail(out, record, paths[t], e.errorCode(), e.getMessage(), sourceKeyArn(blob), attempt);
            return;
          }
          counts.retries++;
          pause(attempt);
        }
      }
    }
    counts.fieldsNull += view.nulls();
    counts.fieldsReEncrypted += reEncrypted;
    counts.fieldsSkipped += skipped;
    if (reEncrypted > 0) {
      counts.recordsReEncrypted++;
    } else if (skipped > 0) {
      counts.recordsSkipped++;
    } else {
      counts.recordsPassedThrough++;
    }
    out.get(recordsTag).output(accessor.rewrite(record, view, replacements));
  }

  /**
   * The --skipIfCurrent rule: the blob's header names the destination key's current material, the
   * two contexts are equal, and any required source key is that same key.
   */
  private boolean isCurrent(int t, byte[] blob) {
    KeyMaterialRef header = engine.ciphertextMaterial(blob);
    if (header == null || !sameContext(resolvedSource[t], resolvedDestination[t])) {
      return false;
    }
    KeyMaterialRef current = engine.currentMaterial(destinationKeys[t]);
    if (!header.keyArn().equals(current.keyArn())
        || !header.keyMaterialId().equals(current.keyMaterialId())) {
      return false;
    }
    return sourceKeys[t] == null
        || engine.currentMaterial(sourceKeys[t]).keyArn().equals(current.keyArn());
  }

  private static boolean sameContext(Map<String, String> a, Map<String, String> b) {
    return (a == null ? Map.of() : a).equals(b == null ? Map.of() : b);
  }

  private String sourceKeyArn(byte[] blob) {
    KeyMaterialRef header = engine.ciphertextMaterial(blob);
    return header == null ? null : header.keyArn();
  }

  private void pause(int attempt) {
    try {
      sleeper.sleep(backoff.delayMillis(attempt, ThreadLocalRandom.current().nextDouble()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while backing off", e);
    }
  }

  private void fail(
      MultiOutputReceiver out,
      T record,
      String fieldPath,
      String code,
      String message,
      String sourceKeyArn,
      int attempts) {
    counts.recordsFailed++;
    counts.failedByCode.merge(code, 1L, Long::sum);
    failFast.failed(code);
    out.get(failuresTag)
        .output(
            new DeadLetter<>(
                record,
                fieldPath,
                code,
                ErrorCodes.message(code, message),
                sourceKeyArn,
                attempts,
                clock.instant()));
  }

  @FinishBundle
  public void finishBundle() {
    flush();
  }

  private void flush() {
    Counts c = counts;
    if (c.recordsIn > 0) {
      activeMillis.update(System.currentTimeMillis());
    }
    add(recordsIn, c.recordsIn);
    add(recordsReEncrypted, c.recordsReEncrypted);
    add(recordsSkipped, c.recordsSkipped);
    add(recordsPassedThrough, c.recordsPassedThrough);
    add(recordsFailed, c.recordsFailed);
    add(recordsFailedTransient, c.recordsFailedTransient);
    add(fieldsReEncrypted, c.fieldsReEncrypted);
    add(fieldsSkipped, c.fieldsSkipped);
    add(fieldsNull, c.fieldsNull);
    add(retries, c.retries);
    for (Map.Entry<String, Long> e : c.failedByCode.entrySet()) {
      failedByCode
          .computeIfAbsent(e.getKey(), k -> counter(ReKeyMetrics.FAILED_PREFIX + k))
          .inc(e.getValue());
    }
    KeyCacheStats d = engine.takeCacheDelta();
    add(metadataHits, d.metadataHits());
    add(metadataMisses, d.metadataMisses());
    add(metadataEvictions, d.metadataEvictions());
    add(materialHits, d.materialHits());
    add(materialMisses, d.materialMisses());
    add(materialEvictions, d.materialEvictions());
    if (progress != null && c.recordsIn > 0) {
      progress.add(c.recordsIn);
    }
    counts = new Counts();
  }

  private static void add(Counter counter, long n) {
    if (n != 0) {
      counter.inc(n);
    }
  }

  @Teardown
  public void teardown() {
    if (engine != null) {
      engine.close();
      engine = null;
    }
  }
}
