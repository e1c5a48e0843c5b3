package io.qkms.pipeline.transform;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.model.ReEncryptResponse;
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
import io.qkms.pipeline.worker.Hold;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerKms;
import io.qkms.pipeline.worker.WorkerKmsSpec;
import io.qkms.pipeline.worker.remote.RemoteCallException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * The worker side of {@link ReEncrypt}: scans each record, calls the JVM's shared KMS for every
 * ciphertext, and emits the rebuilt record or, if any field fails, the original as a failure. Made
 * from the values it runs with; everything reusable (the KMS lease, the compiled accessor, the scan
 * buffers, the contexts' resolvers) is made once per instance in {@code @Setup}.
 *
 * <p>Two paths, by the {@link WorkerKms} the spec opens. The embedded engine ({@link WorkerEngine})
 * is called in line, record by record, retrying transient errors by the {@link RetryPolicy}: the
 * fast path. A remote KMS is called asynchronously: each record's calls are submitted (the KMS
 * paces, batches and retries them), the record waits as a {@link PendingRecord}, and records are
 * emitted as their calls complete, the rest at the end of the bundle.
 */
final class ReEncryptFn<T> extends DoFn<T, T> {
  private static final long serialVersionUID = 1L;
  private static final int FLUSH_EVERY = 4096;

  private final WorkerKmsSpec spec;
  private final List<ReEncryptConfig.Resolved> fields;
  private final List<FieldPath> references;
  private final RecordFormat<T> format;
  private final List<String> grantTokens;
  private final boolean skipIfCurrent;
  private final RetryPolicy retry;
  private final Selection selection;
  private final double failFastFraction;
  private final long failFastMinRecords;
  private final String progressLabel;
  private final Duration progressInterval;
  private final TupleTag<T> recordsTag;
  private final TupleTag<DeadLetter<T>> failuresTag;
  private final ReEncryptCounters counters = new ReEncryptCounters();

  // Per instance, made in @Setup.
  private transient WorkerKms kms;
  private transient WorkerEngine engine; // the embedded engine (the in-line path), or null
  private transient LinkedBlockingQueue<PendingRecord<T>> completed; // the asynchronous path
  private transient List<PendingRecord<T>> held; // completed, of another window than the current
  private transient int pending;
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
  private transient SelectionCheck select; // null: every ciphertext is selected

  ReEncryptFn(
      ReEncryptConfig config,
      List<ReEncryptConfig.Resolved> fields,
      List<FieldPath> references,
      RecordFormat<T> format,
      TupleTag<T> recordsTag,
      TupleTag<DeadLetter<T>> failuresTag) {
    this.spec = config.workerSpec();
    this.fields = List.copyOf(fields);
    this.references = List.copyOf(references);
    this.format = format;
    this.grantTokens = config.grantTokens.isEmpty() ? null : config.grantTokens;
    this.skipIfCurrent = config.skipIfCurrent;
    this.retry = config.retry;
    this.selection = config.selection;
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
    kms = spec.acquire();
    engine = kms instanceof WorkerEngine e ? e : null;
    if (engine == null) {
      completed = new LinkedBlockingQueue<>();
      held = new ArrayList<>();
      pending = 0;
      // One DescribeKey per JVM and cache TTL: the answer names the account's key ARNs, so that
      // dead letters name a blob's source key by its ARN, as with the embedded engine.
      kms.currentMaterial(destinationKeys[0]);
    }
    clock = spec.clock() == null ? Clock.systemUTC() : spec.clock().clock();
    if (!selection.selectsAll()) {
      select = new SelectionCheck(selection, kms);
    }
  }

  @ProcessElement
  public void process(
      @Element T record,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      MultiOutputReceiver out) {
    counters.recordIn();
    try {
      if (engine == null) {
        submit(record, timestamp, window, out);
        emitCompleted(out, timestamp, window);
      } else {
        handle(record, out);
        failFast.check();
      }
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
    int notSelected = 0;
    for (int i = 0; i < size; i++) {
      int t = view.target(i);
      TinkEnvelope envelope;
      try {
        envelope = unpack(t, view.ciphertext(i));
      } catch (FieldException e) {
        fail(out, record, paths[t], e.code(), e.getMessage(), null, 0, false);
        return;
      }
      final byte[] key = sent(envelope, view.ciphertext(i));
      if (select != null) {
        // Before the contexts: a field that is not selected passes through whatever they say.
        RetryPolicy.Outcome<Boolean> s =
            retry.run(() -> select.selected(key), engine, counters::retried);
        if (!s.ok()) {
          fail(
              out,
              record,
              paths[t],
              s.error().errorCode(),
              s.error().getMessage(),
              sourceKeyArn(key),
              s.attempts(),
              s.transientError());
          return;
        }
        if (!s.result()) {
          notSelected++;
          continue;
        }
      }
      try {
        if (!resolved[t]) {
          resolvedSource[t] = sourceContexts[t].resolve(view);
          resolvedDestination[t] = destinationContexts[t].resolve(view);
          resolved[t] = true;
        }
      } catch (FieldException e) {
        fail(out, record, paths[t], e.code(), e.getMessage(), sourceKeyArn(key), 0, false);
        return;
      }
      RetryPolicy.Outcome<ReEncryptResponse> o =
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
        String source = sourceKeyArn(key);
        counters.keyPair(source, destinationKeys[t], true);
        fail(
            out,
            record,
            paths[t],
            o.error().errorCode(),
            o.error().getMessage(),
            source,
            o.attempts(),
            o.transientError());
        return;
      }
      if (o.result() == null) {
        skipped++;
      } else {
        replacements[i] = repack(envelope, o.result().ciphertextBlob());
        // The answer's key ARN is the cached key's string: no header parse per field.
        counters.keyPair(o.result().sourceKeyId(), destinationKeys[t], false);
        reEncrypted++;
      }
    }
    counters.written(reEncrypted, skipped, notSelected, view.nulls());
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

  /**
   * The envelope a field's value is, for a {@code tink-envelope} field (only its encrypted data key
   * goes to the KMS), or null for a field that holds a whole ciphertext. Both paths unpack here.
   *
   * @throws FieldException {@code MalformedEnvelope}: the value is not shaped as an envelope
   */
  private TinkEnvelope unpack(int target, byte[] value) throws FieldException {
    return envelopes[target] ? TinkEnvelope.parse(value, paths[target]) : null;
  }

  /** What is sent to the KMS for a value: the envelope's encrypted data key, or the value. */
  static byte[] sent(TinkEnvelope envelope, byte[] value) {
    return envelope == null ? value : envelope.encryptedKey();
  }

  /** The new value: the envelope with the new encrypted data key, or the new ciphertext. */
  static byte[] repack(TinkEnvelope envelope, byte[] reEncrypted) {
    return envelope == null ? reEncrypted : envelope.withEncryptedKey(reEncrypted);
  }

  private String sourceKeyArn(byte[] blob) {
    KeyMaterialRef header = kms.ciphertextMaterial(blob);
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

  // ---- the asynchronous path (a remote KMS) -------------------------------------------------

  /**
   * Scans the record, resolves its contexts, and submits a call for every ciphertext that is not
   * already current; a record that fails before any call (its scan, a context) or needs none is
   * emitted at once.
   */
  @SuppressWarnings("unchecked")
  private void submit(T record, Instant timestamp, BoundedWindow window, MultiOutputReceiver out) {
    RecordView v = new RecordView();
    try {
      accessor.scan(record, v);
    } catch (FieldException e) {
      fail(out, record, e.fieldPath(), e.code(), e.getMessage(), null, 0, false);
      failFast.check();
      return;
    }
    int n = fields.size();
    // What each field sends: its value, or its envelope's encrypted data key.
    TinkEnvelope[] unpacked = new TinkEnvelope[v.size()];
    byte[][] keys = new byte[v.size()][];
    for (int i = 0; i < v.size(); i++) {
      try {
        unpacked[i] = unpack(v.target(i), v.ciphertext(i));
      } catch (FieldException e) {
        fail(out, record, paths[v.target(i)], e.code(), e.getMessage(), null, 0, false);
        failFast.check();
        return;
      }
      keys[i] = sent(unpacked[i], v.ciphertext(i));
    }
    // Before the contexts: a field that is not selected passes through whatever they say.
    boolean[] selected = new boolean[v.size()];
    for (int i = 0; i < v.size(); i++) {
      try {
        selected[i] = select == null || select.selected(keys[i]);
      } catch (RemoteCallException e) { // a key's materials could not be listed
        fail(
            out,
            record,
            paths[v.target(i)],
            e.code(),
            e.getMessage(),
            sourceKeyArn(keys[i]),
            1,
            e.retryable());
        failFast.check();
        return;
      }
    }
    Map<String, String>[] source = new Map[n];
    Map<String, String>[] destination = new Map[n];
    for (int i = 0; i < v.size(); i++) {
      int t = v.target(i);
      if (selected[i] && source[t] == null) {
        try {
          source[t] = sourceContexts[t].resolve(v);
          destination[t] = destinationContexts[t].resolve(v);
        } catch (FieldException e) {
          fail(out, record, paths[t], e.code(), e.getMessage(), sourceKeyArn(keys[i]), 0, false);
          failFast.check();
          return;
        }
      }
    }
    PendingRecord<T> p = new PendingRecord<>(record, v, timestamp, window, completed);
    for (int i = 0; i < v.size(); i++) {
      int t = v.target(i);
      if (!selected[i]) {
        p.notSelected++;
        continue;
      }
      if (skipIfCurrent && isCurrentRemotely(t, keys[i], source[t], destination[t])) {
        p.skipped++;
        continue;
      }
      kms.submit(
          p.call(
              i,
              unpacked[i],
              keys[i],
              sourceKeys[t],
              source[t],
              destinationKeys[t],
              destination[t],
              grantTokens));
    }
    pending++;
    p.submitted();
  }

  /**
   * The --skipIfCurrent rule, asked of a remote KMS: the current material comes from DescribeKey
   * (cached for the TTL); a blob without a QKMS header (an AWS KMS ciphertext) cannot be current as
   * far as the job can tell, and is counted.
   */
  private boolean isCurrentRemotely(
      int t, byte[] blob, Map<String, String> source, Map<String, String> destination) {
    if (!sameContext(source, destination)) {
      return false;
    }
    KeyMaterialRef current = kms.currentMaterial(destinationKeys[t]);
    KeyMaterialRef header = kms.ciphertextMaterial(blob);
    if (header == null) {
      counters.headerUnreadable();
      return false;
    }
    if (current == null
        || current.keyMaterialId() == null
        || !header.keyArn().equals(current.keyArn())
        || !header.keyMaterialId().equals(current.keyMaterialId())) {
      return false;
    }
    if (sourceKeys[t] == null) {
      return true;
    }
    KeyMaterialRef source2 = kms.currentMaterial(sourceKeys[t]);
    return source2 != null && source2.keyArn().equals(current.keyArn());
  }

  /** Emits the records whose calls have all completed (of this window; others are held). */
  private void emitCompleted(MultiOutputReceiver out, Instant timestamp, BoundedWindow window) {
    PendingRecord<T> p;
    while ((p = completed.poll()) != null) {
      if (p.window.equals(window) && p.timestamp.equals(timestamp)) {
        emit(p, out::get);
      } else {
        held.add(p);
      }
    }
  }

  /** Where a completed record goes: its output, by tag. */
  private interface Outputs {
    <X> DoFn.OutputReceiver<X> get(TupleTag<X> tag);
  }

  private void emit(PendingRecord<T> p, Outputs out) {
    pending--;
    if (p.failed()) {
      String path = paths[p.view.target(p.failedIndex())];
      byte[] blob = p.failedCiphertext();
      counters.failed(p.code(), p.transientError());
      failFast.failed(p.code());
      out.get(failuresTag)
          .output(
              new DeadLetter<>(
                  p.record,
                  path,
                  p.code(),
                  ErrorCodes.message(p.code(), p.message()),
                  sourceKeyArn(blob),
                  p.attempts(),
                  clock.instant()));
    } else {
      counters.written(p.calls, p.skipped, p.notSelected, p.view.nulls());
      out.get(recordsTag).output(accessor.rewrite(p.record, p.view, p.replacements));
    }
    failFast.check();
  }

  /**
   * Sends what the KMS buffered and waits until every pending record is emitted, each to the
   * outputs {@code to} gives it.
   */
  private void finishPending(Function<PendingRecord<T>, Outputs> to) {
    for (PendingRecord<T> p : held) {
      emit(p, to.apply(p));
    }
    held.clear();
    kms.flush();
    while (pending > 0) {
      PendingRecord<T> p;
      try {
        p = completed.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for the KMS", e);
      }
      if (p == null) {
        kms.flush(); // fails the bundle if the KMS is taken to be down
      } else {
        emit(p, to.apply(p));
      }
    }
  }

  /** Outputs of a completed record from {@code @FinishBundle}: in its own window and time. */
  private Outputs context(FinishBundleContext c, PendingRecord<T> p) {
    return new Outputs() {
      @Override
      public <X> DoFn.OutputReceiver<X> get(TupleTag<X> tag) {
        return new DoFn.OutputReceiver<X>() {
          @Override
          public void output(X value) {
            c.output(tag, value, p.timestamp, p.window);
          }

          @Override
          public void outputWithTimestamp(X value, Instant ts) {
            c.output(tag, value, ts, p.window);
          }
        };
      }
    };
  }

  /** The instance's counters (a {@link RecordReKeyer} tallies them per shard). */
  ReEncryptCounters counters() {
    return counters;
  }

  /**
   * The start of a {@link RecordReKeyer}'s shard. On the asynchronous path, records still pending
   * from a shard that failed part-way (its calls may yet complete) are forgotten with their queue:
   * that shard is done again, and none of its records may be written with this one.
   */
  void beginShard() {
    if (engine == null && pending > 0) {
      completed = new LinkedBlockingQueue<>();
      held.clear();
      pending = 0;
    }
  }

  /**
   * The end of a {@link RecordReKeyer}'s shard: on the asynchronous path, waits for the shard's
   * pending records and emits them to {@code out}; counts flushed.
   */
  void endShard(MultiOutputReceiver out) {
    if (engine == null) {
      finishPending(p -> out::get);
    }
    flush();
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    if (engine == null) {
      finishPending(p -> context(c, p));
    }
    flush();
  }

  private void flush() {
    WorkerKms.Activity activity = kms.takeActivity();
    if (engine == null) {
      counters.kms(activity);
    }
    long records = counters.flush(activity.cache());
    if (records > 0) {
      if (progress != null) {
        progress.add(records);
      }
      Hold.betweenBatches();
    }
  }

  @Teardown
  public void teardown() {
    if (kms != null) {
      kms.close();
      kms = null;
      engine = null;
    }
  }
}
