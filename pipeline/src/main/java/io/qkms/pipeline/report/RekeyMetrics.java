package io.qkms.pipeline.report;

/**
 * The names of the re-key job's Beam metrics (all counters, namespace {@value #NAMESPACE}). The
 * ReEncrypt transform reports the record and field outcomes, retries and key cache activity; the
 * job adds what its source read and what its sinks were given, from which it checks that nothing
 * was lost.
 */
public final class RekeyMetrics {
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

  /** Output records without any ciphertext (every field null or absent): passed through. */
  public static final String RECORDS_PASSED_THROUGH = "recordsPassedThrough";

  /** Records sent to the failures output (the dead letters). */
  public static final String RECORDS_FAILED = "recordsFailed";

  /** Failed records by error code: this prefix plus the code. */
  public static final String FAILED_PREFIX = "failed.";

  public static final String FIELDS_RE_ENCRYPTED = "fieldsReEncrypted";
  public static final String FIELDS_SKIPPED_AS_CURRENT = "fieldsSkippedAsCurrent";

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

  /**
   * A distribution of wall-clock times (epoch millis) at which the transform's instances were
   * working: its min and max bound the processing window, which excludes job start-up.
   */
  public static final String ACTIVE_MILLIS = "activeMillis";

  private RekeyMetrics() {}
}
