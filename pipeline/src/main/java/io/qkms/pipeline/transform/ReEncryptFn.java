package io.qkms.pipeline.transform;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.fields.ContextTemplate;
import io.qkms.pipeline.fields.FieldException;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.RecordAccessor;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.fields.RecordView;
import io.qkms.pipeline.report.Progress;
import io.qkms.pipeline.report.ReEncryptCounters;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerEngines;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.TupleTag;

/**
 * The worker side of {@link ReEncrypt}: scans each record, calls the JVM's shared engine for every
 * ciphertext (retrying transient errors by its {@link RetryPolicy}), and emits the rebuilt record
 * or, if any field fails, the original as a failure. Made from the values it runs with; everything
 * reusable (the engine lease, the compiled accessor, the scan buffers, the contexts' resolvers) is
 * made once per instance in {@code @Setup}.
 */
final class ReEncryptFn<T> extends DoFn<T, T> {
  private static final long serialVersionUID = 1L;
  private static final int FLUSH_EVERY = 4096;

  private final EngineSpec spec;
  private final List<ReEncryptConfig.Resolved> fields;
  private final List<FieldPath> references;
  private final RecordFormat<T> format;
  private final List<String> grantTokens;
  private final boolean skipIfCurrent;
  private final RetryPolicy retry;
  private final double failFastFraction;
  private final long failFastMinRecords;
  private final String progressLabel;
  private final Duration progressInterval;
  private final TupleTag<T> recordsTag;
  private final TupleTag<DeadLetter<T>> failuresTag;
  private final ReEncryptCounters counters = new ReEncryptCounters();

  // Per instance, made in @Setup.
  private transient WorkerEngine engine;
  private transient Clock clock;
  private transient RecordAccessor<T> accessor;
  private transient RecordView view;
  private transient String[] paths;
  private transient String[] sourceKeys;
  private transient String[] destinationKeys;
  private transient boolean[] envelopes;
  private transient ContextTemplate.Resolver[] sourceContexts;
  private transient ContextTemplate.Resolver[] destinationContexts;
  private transient Map<String, String>[] resolvedSource;
  private transient Map<String, String>[] resolvedDestination;
  private transient boolean[] resolved;
  private transient byte[][] replacements;
  private transient Progress progress;
  private transient FailFast failFast;

  ReEncryptFn(
      ReEncryptConfig config,
      List<ReEncryptConfig.Resolved> fields,
      List<FieldPath> references,
      RecordFormat<T> format,
      TupleTag<T> recordsTag,
      TupleTag<DeadLetter<T>> failuresTag) {
    this.spec = config.engineSpec();
    this.fields = List.copyOf(fields);
    this.references = List.copyOf(references);
    this.format = format;
    this.grantTokens = config.grantTokens.isEmpty() ? null : config.grantTokens;
    this.skipIfCurrent = config.skipIfCurrent;
    this.retry = config.retry;
    this.failFastFraction = config.failFastFraction;
    this.failFastMinRecords = config.failFastMinRecords;
    this.progressLabel = config.progressLabel;
    this.progressInterval = config.progressInterval;
    this.recordsTag = recordsTag;
    this.failuresTag = failuresTag;
  }

  @Setup
  @SuppressWarnings("unchecked")
  public void setup() {
    int n = fields.size();
    paths = new String[n];
    sourceKeys = new String[n];
    destinationKeys = new String[n];
    envelopes = new boolean[n];
    sourceContexts = new ContextTemplate.Resolver[n];
    destinationContexts = new ContextTemplate.Resolver[n];
    List<FieldPath> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ReEncryptConfig.Resolved f = fields.get(i);
      targets.add(f.path());
      paths[i] = f.path().toString();
      sourceKeys[i] = f.sourceKeyId();
      destinationKeys[i] = f.destinationKeyId();
      envelopes[i] = f.encoding() == FieldEncoding.TINK_ENVELOPE;
      sourceContexts[i] = f.sourceContext().bind(references);
      destinationContexts[i] = f.destinationContext().bind(references);
    }
    resolvedSource = new Map[n];
    resolvedDestination = new Map[n];
    resolved = new boolean[n];
    accessor = format.compile(targets, references);
    view = new RecordView();
    replacements = new byte[8][];
    failFast = new FailFast(failFastFraction, failFastMinRecords);
    if (progressLabel != null) {
      progress = Progress.of(progressLabel, progressInterval);
    }
    engine = WorkerEngines.acquire(spec);
    clock = spec.clock() == null ? Clock.systemUTC() : spec.clock().clock();
  }

  @ProcessElement
  public void process(@Element T record, MultiOutputReceiver out) {
    counters.recordIn();
    try {
      handle(record, out);
      failFast.check();
    } finally {
      if (counters.recordsSinceFlush() >= FLUSH_EVERY) {
        flush();
      }
    }
  }

  private void handle(T record, MultiOutputReceiver out) {
    try {
      accessor.scan(record, view);
    } catch (FieldException e) {
      fail(out, record, e.fieldPath(), e.code(), e.getMessage(), null, 0, false);
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
      TinkEnvelope envelope = null;
      byte[] blob = view.ciphertext(i);
      if (envelopes[t]) {
        // Only the envelope's encrypted data key goes to the engine.
        try {
          envelope = TinkEnvelope.parse(blob, paths[t]);
        } catch (FieldException e) {
          fail(out, record, paths[t], e.code(), e.getMessage(), null, 0, false);
          return;
        }
        blob = envelope.encryptedKey();
      }
      final byte[] key = blob;
      try {
        if (!resolved[t]) {
          resolvedSource[t] = sourceContexts[t].resolve(view);
          resolvedDestination[t] = destinationContexts[t].resolve(view);
          resolved[t] = true;
        }
      } catch (FieldException e) {
        fail(out, record, paths[t], e.code(), e.getMessage(), sourceKeyArn(blob), 0, false);
        return;
      }
      RetryPolicy.Outcome<byte[]> o =
          retry.run(
              () ->
                  skipIfCurrent && isCurrent(t, key)
                      ? null
                      : engine.reEncrypt(
                          key,
                          sourceKeys[t],
                          resolvedSource[t],
                          destinationKeys[t],
                          resolvedDestination[t],
                          grantTokens),
              engine,
              counters::retried);
      if (!o.ok()) {
        fail(
            out,
            record,
            paths[t],
            o.error().errorCode(),
            o.error().getMessage(),
            sourceKeyArn(blob),
            o.attempts(),
            o.transientError());
        return;
      }
      if (o.result() == null) {
        skipped++;
      } else {
        replacements[i] = envelope == null ? o.result() : envelope.withEncryptedKey(o.result());
        reEncrypted++;
      }
    }
    counters.written(reEncrypted, skipped, view.nulls());
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

  private void fail(
      MultiOutputReceiver out,
      T record,
      String fieldPath,
      String code,
      String message,
      String sourceKeyArn,
      int attempts,
      boolean transientError) {
    counters.failed(code, transientError);
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
    long records = counters.flush(engine.takeCacheDelta());
    if (progress != null && records > 0) {
      progress.add(records);
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
