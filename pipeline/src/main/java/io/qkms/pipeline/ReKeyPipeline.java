package io.qkms.pipeline;

import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.TextLines;
import io.qkms.pipeline.report.CountElements;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.ReEncrypt;
import io.qkms.pipeline.worker.ShippedKeyStore;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.values.PCollection;

/**
 * The job's graph: read (or replay dead letters) -> count -> ReEncrypt -> count -> write, and the
 * failures -> count -> dead-letter files (the Avro file reader counts what it reads itself). Both
 * sinks write temporary files and rename them when done (Beam's file sinks), so an output file is
 * either complete or absent. JSON Lines are read and written byte for byte ({@link TextLines}).
 */
final class ReKeyPipeline {
  /** At least this many records tried by a worker before it may stop the run as failing. */
  static final long FAIL_FAST_MIN_RECORDS = 1_000;

  private ReKeyPipeline() {}

  static void build(Pipeline p, JobPlan plan) {
    if (plan.format() == JobPlan.InputFormat.AVRO) {
      buildAvro(p, plan);
    } else {
      buildJsonLines(p, plan);
    }
  }

  private static void buildAvro(Pipeline p, JobPlan plan) {
    Schema schema = plan.recordSchema();
    PCollection<GenericRecord> input =
        plan.replay()
            ? p.apply(DeadLetterFiles.readAvro(plan.inputPattern(), plan.deadLetterInputSchema()))
                .setCoder(AvroCoder.of(schema))
                .apply("CountRead", CountElements.as(ReKeyMetrics.RECORDS_READ))
            : p.apply(
                "Read",
                AvroSplits.read(plan.inputFiles(), schema)
                    .withRecordsCounter(ReKeyMetrics.NAMESPACE, ReKeyMetrics.RECORDS_READ));
    ReEncrypt.Result<GenericRecord> result =
        input
            .setCoder(AvroCoder.of(schema))
            .apply("ReEncrypt", configure(ReEncrypt.avroRecords(), plan));
    result
        .records()
        .apply("CountWritten", CountElements.as(ReKeyMetrics.RECORDS_WRITTEN))
        .apply(
            "Write",
            AvroIO.writeGenericRecords(schema)
                .to(prefix(plan.output()))
                .withSuffix(plan.format().extension()));
    result
        .failures()
        .apply("CountDeadLettered", CountElements.as(ReKeyMetrics.RECORDS_DEAD_LETTERED))
        .apply(DeadLetterFiles.writeAvro(plan.deadLetter(), schema));
  }

  private static void buildJsonLines(Pipeline p, JobPlan plan) {
    PCollection<String> input =
        plan.replay()
            ? p.apply(DeadLetterFiles.readJsonLines(plan.inputFiles()))
            : p.apply("Read", TextLines.read(plan.inputFiles()));
    ReEncrypt.Result<String> result =
        input
            .apply("CountRead", CountElements.as(ReKeyMetrics.RECORDS_READ))
            .apply("ReEncrypt", configure(ReEncrypt.jsonLines(), plan));
    result
        .records()
        .apply("CountWritten", CountElements.as(ReKeyMetrics.RECORDS_WRITTEN))
        .apply("Write", TextLines.write(prefix(plan.output()), plan.format().extension()));
    result
        .failures()
        .apply("CountDeadLettered", CountElements.as(ReKeyMetrics.RECORDS_DEAD_LETTERED))
        .apply(DeadLetterFiles.writeJsonLines(plan.deadLetter()));
  }

  private static <T> ReEncrypt.Records<T> configure(ReEncrypt.Records<T> t, JobPlan plan) {
    t =
        t.withFieldRules(plan.fields())
            .withSourceEncryptionContext(plan.sourceContext())
            .withDestinationEncryptionContext(plan.destinationContext())
            .withGrantTokens(plan.grantTokens())
            .withSkipIfCurrent(plan.skipIfCurrent())
            .withCacheTtl(plan.cacheTtl())
            .withCacheCapacity(plan.cacheCapacity());
    if (plan.kms() == null) {
      t = t.withKeyStore(plan.keystore());
    } else {
      KmsEndpoint k = plan.kms();
      t =
          t.withKmsEndpoint(k.url())
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

  private static String prefix(String directory) {
    return FileSystems.matchNewResource(directory, true)
        .resolve("part", StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }
}
