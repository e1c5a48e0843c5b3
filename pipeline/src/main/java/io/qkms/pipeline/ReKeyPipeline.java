package io.qkms.pipeline;

import io.qkms.pipeline.formats.RecordFiles;
import io.qkms.pipeline.report.CountElements;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.ReEncrypt;
import io.qkms.pipeline.worker.ShippedKeyStore;
import java.time.Duration;
import org.apache.beam.sdk.Pipeline;

/**
 * The job's graph: read (or replay dead letters) -> count -> ReEncrypt -> count -> write, and the
 * failures -> count -> dead-letter files, each step as the run's format does it ({@link
 * RecordFiles}). The sinks write temporary files and rename them when done (Beam's file sinks), so
 * an output file is either complete or absent.
 */
final class ReKeyPipeline {
  /** At least this many records tried by a worker before it may stop the run as failing. */
  static final long FAIL_FAST_MIN_RECORDS = 1_000;

  private ReKeyPipeline() {}

  static void build(Pipeline p, JobPlan plan) {
    build(p, plan, plan.input());
  }

  private static <T> void build(Pipeline p, JobPlan plan, RecordFiles<T> files) {
    ReEncrypt.Result<T> result =
        files.read(p.begin()).apply("ReEncrypt", configure(files.reEncrypt(), plan));
    files.write(
        result.records().apply("CountWritten", CountElements.as(ReKeyMetrics.RECORDS_WRITTEN)),
        plan.output());
    files.writeDeadLetters(
        result
            .failures()
            .apply("CountDeadLettered", CountElements.as(ReKeyMetrics.RECORDS_DEAD_LETTERED)),
        plan.deadLetter());
  }

  static <T> ReEncrypt.Records<T> configure(ReEncrypt.Records<T> t, JobPlan plan) {
    t =
        t.withFieldRules(plan.fields())
            .withSourceEncryptionContext(plan.sourceContext())
            .withDestinationEncryptionContext(plan.destinationContext())
            .withGrantTokens(plan.grantTokens())
            .withSkipIfCurrent(plan.skipIfCurrent())
            .withSelection(plan.selection())
            .withCacheTtl(plan.cacheTtl())
            .withCacheCapacity(plan.cacheCapacity());
    if (plan.kms() == null) {
      t = t.withKeyStore(plan.keystore());
    } else {
      KmsEndpoint k = plan.kms();
      t =
          t.withKmsEndpoint(k.url())
              .withKmsCaBundle(k.caBundle())
              .withRegion(k.region())
              .withKmsMaxRequestsPerSecond(k.maxRequestsPerSecond())
              .withKmsMaxInFlight(k.maxInFlight())
              .withKmsBatchSize(k.batchSize())
              .withKmsMaxThrottledRetries(k.maxThrottledRetries());
    }
    if (plan.shipKeystore()) {
      t = t.withKeyStoreResource(ShippedKeyStore.resourceName(plan.runId()));
    }
    if (plan.destinationKeyId() != null) {
      t = t.withDestinationKeyId(plan.destinationKeyId());
    }
    if (plan.sourceKeyId() != null) {
      t = t.withSourceKeyId(plan.sourceKeyId());
    }
    if (plan.region() != null && plan.kms() == null) {
      t = t.withRegion(plan.region());
    }
    if (plan.principal() != null) {
      t = t.withPrincipal(plan.principal());
    }
    if (plan.maxDeadLetterFraction() < 1.0) {
      // S3 Batch Operations' rule, or the user's stricter limit: a run most of whose records
      // fail has wrong settings; it stops instead of dead-lettering the whole input.
      t = t.withFailFast(Math.max(0.5, plan.maxDeadLetterFraction()), FAIL_FAST_MIN_RECORDS);
    }
    if (plan.progressSeconds() > 0) {
      t = t.withProgress(progressLabel(plan), Duration.ofSeconds(plan.progressSeconds()));
    }
    return t;
  }

  /** The label of the run's progress lines (and of its count of records processed). */
  static String progressLabel(JobPlan plan) {
    return "qkms rekey " + plan.runId();
  }
}
