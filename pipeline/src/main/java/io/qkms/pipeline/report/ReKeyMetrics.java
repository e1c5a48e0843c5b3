package io.qkms.pipeline.report;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The names of the re-key job's Beam metrics (counters, namespace {@value #NAMESPACE}), and how the
 * job reads them back when the run is over. The ReEncrypt transform reports the record and field
 * outcomes, retries and key cache activity; the job adds what its source read and what its sinks
 * were given, from which it checks that nothing was lost.
 */
public final class ReKeyMetrics {
  public static final String NAMESPACE = "qkms.rekey";

  // Counted by the job around its source and sinks.
  /** Records the job's source produced. */
  public static final String RECORDS_READ = "recordsRead";

  /** Records handed to the output sink. */
  public static final String RECORDS_WRITTEN = "recordsWritten";

  /** Records handed to the dead-letter sink. */
  public static final String RECORDS_DEAD_LETTERED = "recordsDeadLettered";

  // Counted by the ReEncrypt transform.
  /** Records that entered the transform. */
  public static final String RECORDS_IN = "recordsIn";

  /** Output records in which at least one field was re-encrypted. */
  public static final String RECORDS_RE_ENCRYPTED = "recordsReEncrypted";

  /** Output records whose every ciphertext was already current (--skipIfCurrent). */
  public static final String RECORDS_SKIPPED_AS_CURRENT = "recordsSkippedAsCurrent";

  /**
   * Output records none of whose ciphertexts was re-encrypted because at least one was not selected
   * (--onlySourceKeys, --onlyMaterialsCreatedBefore).
   */
  public static final String RECORDS_SKIPPED_BY_SELECTION = "recordsSkippedBySelection";

  /** Output records without any ciphertext (every field null or absent): passed through. */
  public static final String RECORDS_PASSED_THROUGH = "recordsPassedThrough";

  /** Records sent to the failures output (the dead letters). */
  public static final String RECORDS_FAILED = "recordsFailed";

  /**
   * Failed records whose last error was transient (the engine's {@code isRetryable()}) after their
   * retries ran out: not re-keyed because the engine or its key store was unavailable.
   */
  public static final String RECORDS_FAILED_TRANSIENT = "recordsFailedTransient";

  /** Failed records by error code: this prefix plus the code. */
  public static final String FAILED_PREFIX = "failed.";

  /** Transient failures (as {@link #RECORDS_FAILED_TRANSIENT}) by error code. */
  public static final String FAILED_TRANSIENT_PREFIX = "failedTransient.";

  /**
   * Ciphertexts re-encrypted from one key to another: this prefix plus the source key's ARN (from
   * the ciphertext; {@value #UNKNOWN_KEY} if it has no QKMS header), a space, and the destination
   * key as the run names it. Counted on the embedded engine's path, for the audit trail.
   */
  public static final String PAIR_RE_ENCRYPTED_PREFIX = "keyPairReEncrypted.";

  /** Ciphertexts whose ReEncrypt failed, by key pair as {@link #PAIR_RE_ENCRYPTED_PREFIX}. */
  public static final String PAIR_FAILED_PREFIX = "keyPairFailed.";

  /** The source key of a ciphertext without a QKMS header, in a key pair's counter name. */
  public static final String UNKNOWN_KEY = "unknown";

  public static final String FIELDS_RE_ENCRYPTED = "fieldsReEncrypted";
  public static final String FIELDS_SKIPPED_AS_CURRENT = "fieldsSkippedAsCurrent";

  /** Ciphertext fields passed through unchanged because the selection did not select them. */
  public static final String FIELDS_SKIPPED_BY_SELECTION = "fieldsSkippedBySelection";

  /** Ciphertext fields that were null or absent and passed through unchanged. */
  public static final String FIELDS_NULL = "fieldsNull";

  /** Engine calls repeated after a transient error. */
  public static final String RETRIES = "retries";

  public static final String CACHE_METADATA_HITS = "cacheMetadataHits";
  public static final String CACHE_METADATA_MISSES = "cacheMetadataMisses";
  public static final String CACHE_METADATA_EVICTIONS = "cacheMetadataEvictions";
  public static final String CACHE_MATERIAL_HITS = "cacheMaterialHits";
  public static final String CACHE_MATERIAL_MISSES = "cacheMaterialMisses";
  public static final String CACHE_MATERIAL_EVICTIONS = "cacheMaterialEvictions";

  // Counted by the ReEncrypt transform with a remote KMS (--kmsEndpoint).
  /** HTTP requests to the endpoint (a BatchReEncrypt is one; DescribeKey calls included). */
  public static final String KMS_HTTP_REQUESTS = "kmsHttpRequests";

  /**
   * ReEncrypt operations sent (each item of a batch, each retry): what a quota and a bill count.
   */
  public static final String KMS_REENCRYPT_CALLS = "kmsReEncryptCalls";

  /** ReEncrypt operations answered with ThrottlingException. */
  public static final String KMS_THROTTLED = "kmsThrottled";

  /**
   * Milliseconds workers spent throttled (from a throttled answer to the next that was not), summed
   * over worker JVMs.
   */
  public static final String KMS_THROTTLED_MILLIS = "kmsThrottledMillis";

  /**
   * ReEncrypt operations that failed without an answer from the KMS (a 5xx, a dropped connection, a
   * timeout): sent again while the record's attempts last.
   */
  public static final String KMS_FAILED = "kmsFailed";

  /** DescribeKey calls (learning current materials for --skipIfCurrent). */
  public static final String KMS_DESCRIBE_CALLS = "kmsDescribeKeyCalls";

  /**
   * Ciphertexts without a QKMS header (AWS KMS ciphertexts, say) met by --skipIfCurrent: the job
   * cannot tell their material, so they were re-encrypted.
   */
  public static final String FIELDS_WITHOUT_QKMS_HEADER = "fieldsWithoutQkmsHeader";

  /**
   * A distribution of wall-clock times (epoch millis) at which the transform's instances were
   * working: its min and max bound the processing window, which excludes job start-up.
   */
  public static final String ACTIVE_MILLIS = "activeMillis";

  static final String ACTIVE_FROM = ACTIVE_MILLIS + ".min";
  static final String ACTIVE_TO = ACTIVE_MILLIS + ".max";

  private ReKeyMetrics() {}

  /**
   * The job's counters once they stop moving: a runner may still be applying the last bundle's
   * metric updates when {@code waitUntilFinish} returns; on Flink the first read is final.
   */
  public static Map<String, Long> settledCounters(MetricResults metrics) {
    Map<String, Long> last = counters(metrics);
    for (int i = 0; i < 100; i++) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
      Map<String, Long> now = counters(metrics);
      if (now.equals(last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /**
   * The job's counters (namespace {@value #NAMESPACE}) summed over steps, and the processing
   * window's bounds as {@code activeMillis.min} and {@code activeMillis.max}.
   */
  public static Map<String, Long> counters(MetricResults metrics) {
    MetricQueryResults q =
        metrics.queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.inNamespace(NAMESPACE)).build());
    Map<String, Long> out = new TreeMap<>();
    // Committed values where the runner has them (Direct): its attempted values can miss part of
    // a bundle's updates. Flink has only attempted values, which are final once a job is done.
    for (MetricResult<Long> c : q.getCounters()) {
      Long v = c.hasCommitted() ? c.getCommitted() : c.getAttempted();
      out.merge(c.getName().getName(), v == null ? 0L : v, Long::sum);
    }
    // The processing window: earliest and latest activity over all steps.
    for (MetricResult<DistributionResult> d : q.getDistributions()) {
      DistributionResult r = d.hasCommitted() ? d.getCommitted() : d.getAttempted();
      if (r != null && r.getCount() > 0 && d.getName().getName().equals(ACTIVE_MILLIS)) {
        out.merge(ACTIVE_FROM, r.getMin(), Math::min);
        out.merge(ACTIVE_TO, r.getMax(), Math::max);
      }
    }
    return out;
  }
}
