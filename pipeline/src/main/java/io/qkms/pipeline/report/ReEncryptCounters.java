package io.qkms.pipeline.report;

import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.pipeline.worker.WorkerKms;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The ReEncrypt transform's counters ({@link ReKeyMetrics}): counted locally per record, added to
 * Beam's metrics in batches by {@link #flush}, because a metric update per record costs the runner
 * more than the counting. One per DoFn instance; not thread-safe.
 */
public final class ReEncryptCounters implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Counter metadataHits = counter(ReKeyMetrics.CACHE_METADATA_HITS);
  private final Counter metadataMisses = counter(ReKeyMetrics.CACHE_METADATA_MISSES);
  private final Counter metadataEvictions = counter(ReKeyMetrics.CACHE_METADATA_EVICTIONS);
  private final Counter materialHits = counter(ReKeyMetrics.CACHE_MATERIAL_HITS);
  private final Counter materialMisses = counter(ReKeyMetrics.CACHE_MATERIAL_MISSES);
  private final Counter materialEvictions = counter(ReKeyMetrics.CACHE_MATERIAL_EVICTIONS);
  private final Counter kmsHttpRequests = counter(ReKeyMetrics.KMS_HTTP_REQUESTS);
  private final Counter kmsCalls = counter(ReKeyMetrics.KMS_REENCRYPT_CALLS);
  private final Counter kmsThrottled = counter(ReKeyMetrics.KMS_THROTTLED);
  private final Counter kmsThrottledMillis = counter(ReKeyMetrics.KMS_THROTTLED_MILLIS);
  private final Counter kmsFailed = counter(ReKeyMetrics.KMS_FAILED);
  private final Counter kmsDescribeCalls = counter(ReKeyMetrics.KMS_DESCRIBE_CALLS);
  private final Distribution activeMillis =
      Metrics.distribution(ReKeyMetrics.NAMESPACE, ReKeyMetrics.ACTIVE_MILLIS);

  /**
   * The counts kept locally per record, each added to its metric (and the tally) at every flush:
   * one list, so that a count cannot be kept and never flushed, or flushed and never reset.
   */
  private enum Count {
    IN(ReKeyMetrics.RECORDS_IN),
    RE_ENCRYPTED(ReKeyMetrics.RECORDS_RE_ENCRYPTED),
    SKIPPED(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT),
    PASSED_THROUGH(ReKeyMetrics.RECORDS_PASSED_THROUGH),
    NOT_SELECTED(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION),
    FIELDS_NOT_SELECTED(ReKeyMetrics.FIELDS_SKIPPED_BY_SELECTION),
    FAILED(ReKeyMetrics.RECORDS_FAILED),
    FAILED_TRANSIENT(ReKeyMetrics.RECORDS_FAILED_TRANSIENT),
    FIELDS_RE_ENCRYPTED(ReKeyMetrics.FIELDS_RE_ENCRYPTED),
    FIELDS_SKIPPED(ReKeyMetrics.FIELDS_SKIPPED_AS_CURRENT),
    FIELDS_NULL(ReKeyMetrics.FIELDS_NULL),
    RETRIES(ReKeyMetrics.RETRIES),
    WITHOUT_HEADER(ReKeyMetrics.FIELDS_WITHOUT_QKMS_HEADER);

    private static final Count[] ALL = values();

    final String metric;

    Count(String metric) {
      this.metric = metric;
    }
  }

  private final Counter[] countCounters =
      Arrays.stream(Count.ALL).map(c -> counter(c.metric)).toArray(Counter[]::new);

  // Local counts since the last flush, by Count; a deserialized copy starts from zero.
  private transient long[] counts = new long[Count.ALL.length];
  private transient long throttledNanosCarry; // under a millisecond, kept for the next flush
  private transient Map<String, Long> failedByCode;
  private transient Map<String, Long> failedTransientByCode;
  private transient Map<String, Counter> namedCounters;
  private transient Map<String, Long> byKeyPair;
  private transient String lastSource;
  private transient String lastDestination;
  private transient String lastName;
  private transient long lastCount; // re-encrypted for the last pair, not yet in byKeyPair
  private transient boolean started;
  private transient Map<String, Long> tally;

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    counts = new long[Count.ALL.length];
  }

  private static Counter counter(String name) {
    return Metrics.counter(ReKeyMetrics.NAMESPACE, name);
  }

  /** A record entered the transform; the first one opens the processing window. */
  public void recordIn() {
    if (!started) {
      started = true;
      activeMillis.update(System.currentTimeMillis());
    }
    counts[Count.IN.ordinal()]++;
  }

  /** Records entered since the last flush. */
  public long recordsSinceFlush() {
    return counts[Count.IN.ordinal()];
  }

  /** A record was written: its fields re-encrypted, skipped as current, and null. */
  public void written(int fieldsReEncrypted, int fieldsSkipped, int fieldsNull) {
    written(fieldsReEncrypted, fieldsSkipped, 0, fieldsNull);
  }

  /**
   * A record was written: its fields re-encrypted, skipped as current, not selected, and null. A
   * record none of whose fields was re-encrypted counts as skipped by selection if any field was
   * not selected, else as skipped as current if any was current, else as passed through.
   */
  public void written(
      int fieldsReEncrypted, int fieldsSkipped, int fieldsNotSelected, int fieldsNull) {
    counts[Count.FIELDS_RE_ENCRYPTED.ordinal()] += fieldsReEncrypted;
    counts[Count.FIELDS_SKIPPED.ordinal()] += fieldsSkipped;
    counts[Count.FIELDS_NOT_SELECTED.ordinal()] += fieldsNotSelected;
    counts[Count.FIELDS_NULL.ordinal()] += fieldsNull;
    Count record;
    if (fieldsReEncrypted > 0) {
      record = Count.RE_ENCRYPTED;
    } else if (fieldsNotSelected > 0) {
      record = Count.NOT_SELECTED;
    } else if (fieldsSkipped > 0) {
      record = Count.SKIPPED;
    } else {
      record = Count.PASSED_THROUGH;
    }
    counts[record.ordinal()]++;
  }

  /** A record was dead-lettered with {@code code}; transient: after its retries ran out. */
  public void failed(String code, boolean transientError) {
    counts[Count.FAILED.ordinal()]++;
    if (failedByCode == null) {
      failedByCode = new HashMap<>();
      failedTransientByCode = new HashMap<>();
    }
    failedByCode.merge(ReKeyMetrics.FAILED_PREFIX + code, 1L, Long::sum);
    if (transientError) {
      counts[Count.FAILED_TRANSIENT.ordinal()]++;
      failedTransientByCode.merge(ReKeyMetrics.FAILED_TRANSIENT_PREFIX + code, 1L, Long::sum);
    }
  }

  /**
   * A ciphertext re-encrypted (or, {@code failed}, whose ReEncrypt failed) from {@code
   * sourceKeyArn} (null: unknown) to {@code destinationKey}.
   */
  public void keyPair(String sourceKeyArn, String destinationKey, boolean failed) {
    if (byKeyPair == null) {
      byKeyPair = new HashMap<>();
    }
    String source = sourceKeyArn == null ? ReKeyMetrics.UNKNOWN_KEY : sourceKeyArn;
    if (failed) {
      byKeyPair.merge(
          ReKeyMetrics.PAIR_FAILED_PREFIX + source + " " + destinationKey, 1L, Long::sum);
      return;
    }
    // A job re-keys from a few keys to one: the last pair is counted in a long (no name built, no
    // map touched per field) and settled into the map when the pair changes.
    if (!source.equals(lastSource) || !destinationKey.equals(lastDestination)) {
      settleLastPair();
      lastSource = source;
      lastDestination = destinationKey;
      lastName = ReKeyMetrics.PAIR_RE_ENCRYPTED_PREFIX + source + " " + destinationKey;
    }
    lastCount++;
  }

  private void settleLastPair() {
    if (lastCount > 0) {
      byKeyPair.merge(lastName, lastCount, Long::sum);
      lastCount = 0;
    }
  }

  public void retried() {
    counts[Count.RETRIES.ordinal()]++;
  }

  /** A ciphertext without a QKMS header met by --skipIfCurrent (re-encrypted regardless). */
  public void headerUnreadable() {
    counts[Count.WITHOUT_HEADER.ordinal()]++;
  }

  /** A remote KMS's requests since the last flush (added at once: they are already batched). */
  public void kms(WorkerKms.Activity a) {
    add(kmsHttpRequests, a.httpRequests());
    add(kmsCalls, a.reEncryptCalls());
    add(kmsThrottled, a.throttled());
    add(kmsFailed, a.failed());
    add(kmsDescribeCalls, a.describeCalls());
    long nanos = throttledNanosCarry + a.throttledNanos();
    add(kmsThrottledMillis, nanos / 1_000_000);
    throttledNanosCarry = nanos % 1_000_000;
  }

  /**
   * Adds the local counts, and the shared engine's cache activity since its last report, to the
   * metrics.
   *
   * @return the records added
   */
  public long flush(KeyCacheStats cacheDelta) {
    long records = counts[Count.IN.ordinal()];
    if (records > 0) {
      activeMillis.update(System.currentTimeMillis());
    }
    for (Count c : Count.ALL) {
      add(countCounters[c.ordinal()], c.metric, counts[c.ordinal()]);
    }
    Arrays.fill(counts, 0);
    if (failedByCode != null) {
      addByName(failedByCode);
      addByName(failedTransientByCode);
    }
    if (byKeyPair != null) {
      settleLastPair();
      addByName(byKeyPair);
    }
    add(metadataHits, cacheDelta.metadataHits());
    add(metadataMisses, cacheDelta.metadataMisses());
    add(metadataEvictions, cacheDelta.metadataEvictions());
    add(materialHits, cacheDelta.materialHits());
    add(materialMisses, cacheDelta.materialMisses());
    add(materialEvictions, cacheDelta.materialEvictions());
    return records;
  }

  private void addByName(Map<String, Long> counts) {
    if (namedCounters == null) {
      namedCounters = new HashMap<>();
    }
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (tally != null) {
        tally.merge(e.getKey(), e.getValue(), Long::sum);
      }
      namedCounters.computeIfAbsent(e.getKey(), ReEncryptCounters::counter).inc(e.getValue());
    }
    counts.clear();
  }

  /**
   * Also adds every record and field count this instance flushes into {@code into} (by metric name;
   * null: stop): what a resumable run records with each shard it commits.
   */
  public void tallyInto(Map<String, Long> into) {
    tally = into;
  }

  private void add(Counter counter, String name, long n) {
    if (tally != null && n != 0) {
      tally.merge(name, n, Long::sum);
    }
    add(counter, n);
  }

  private static void add(Counter counter, long n) {
    if (n != 0) {
      counter.inc(n);
    }
  }
}
