package io.qkms.pipeline;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyStoreOpenException;
import io.qkms.pipeline.estimate.Estimate;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.worker.WorkerEngines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;

/**
 * {@code --estimateOnly}, after the checks before a run passed: counts the input records without
 * decoding them (as {@link CommittedCounts} does), tries the sample with the run's settings ({@link
 * SampleCheck}), calibrates how fast one thread of this machine re-keys the sampled records, and
 * prints the expected duration ({@link Estimate}). Writes nothing.
 */
final class EstimateRun {
  /** How long the calibration runs. */
  static final Duration CALIBRATION = Duration.ofSeconds(1);

  /**
   * Start-up of a run before its first record, measured on the 2-core machine of the benchmarks
   * (pipeline/README.md, Performance): launcher JVM, pipeline translation and the embedded cluster,
   * or the Direct runner.
   */
  static final double FLINK_STARTUP_SECONDS = 5;

  static final double DIRECT_STARTUP_SECONDS = 2;

  private EstimateRun() {}

  static ReKeyJob.Outcome run(ReKeyOptions options, JobPlan plan, PrintStream out) {
    Estimate e = new Estimate();
    long bytes = plan.inputFiles().stream().mapToLong(InputFile::sizeBytes).sum();
    long t0 = System.nanoTime();
    long records;
    try {
      records = CommittedCounts.records(plan.inputPattern(), plan.input().inputCounter());
    } catch (IOException ex) {
      throw new IllegalArgumentException("--input: " + ex.getMessage());
    }
    double countSeconds = (System.nanoTime() - t0) / 1e9;
    e.item(
        "input",
        String.format(
            Locale.ROOT,
            "%,d records in %,d file%s, %,.1f MB (counted from %s in %.1f s, nothing decoded)",
            records,
            plan.inputFiles().size(),
            plan.inputFiles().size() == 1 ? "" : "s",
            bytes / 1e6,
            switch (plan.format().name()) {
              case "avro" -> "Avro block headers";
              case "parquet" -> "Parquet footers";
              default -> "line breaks";
            },
            countSeconds),
        Map.of("records", records, "files", plan.inputFiles().size(), "bytes", bytes));

    int parallelism = parallelism(options);
    boolean flink = FlinkSettings.isFlink(options);
    e.startup(
        flink ? FLINK_STARTUP_SECONDS : DIRECT_STARTUP_SECONDS,
        flink
            ? "Flink"
                + (FlinkSettings.local(options) ? " embedded" : " cluster, plus job submission")
            : "Direct runner");

    Path dir = plan.keystore() == null ? null : Path.of(plan.keystore());
    if (dir == null || plan.keystore().contains("://") || !Files.isDirectory(dir)) {
      e.note("the key store is not on this machine: no sample tried, nothing calibrated");
    } else {
      sampleAndCalibrate(plan, dir, records, parallelism, e);
    }
    out.print(e.text());
    return new ReKeyJob.Outcome(ReKeyJob.EXIT_OK, null);
  }

  private static void sampleAndCalibrate(
      JobPlan plan, Path dir, long records, int parallelism, Estimate e) {
    FileKeyStore store;
    try {
      store = WorkerEngines.openReadOnly(dir, System.getenv());
    } catch (KeyStoreOpenException ex) {
      throw new IllegalArgumentException(ex.getMessage());
    }
    try (store;
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller = WorkerEngines.caller(engine, dir.toString(), plan.region(), plan.principal());
      SampleCheck.Result sample = SampleCheck.sample(plan, engine, caller);
      StringBuilder failures = new StringBuilder();
      sample
          .failuresByCode()
          .forEach(
              (code, n) ->
                  failures
                      .append(failures.length() == 0 ? "" : ", ")
                      .append(code)
                      .append(' ')
                      .append(n));
      e.item(
          "sample",
          String.format(
              Locale.ROOT,
              "%,d records tried with the run's settings: %,d re-encrypt, %,d hold no"
                  + " ciphertext%s",
              sample.tried(),
              sample.ok(),
              sample.noCiphertext(),
              failures.length() == 0 ? "" : ", " + failures + " (dead letters)"),
          Map.of(
              "tried", sample.tried(),
              "reEncrypt", sample.ok(),
              "noCiphertext", sample.noCiphertext(),
              "failuresByCode", new LinkedHashMap<>(sample.failuresByCode())));
      double rate = SampleCheck.calibrate(plan, engine, caller, sample.records(), CALIBRATION);
      if (rate <= 0) {
        e.note("the sample has no records: nothing calibrated");
        return;
      }
      e.item(
          "calibration",
          String.format(
              Locale.ROOT,
              "%,.0f records/s on one thread of this machine (%,d sampled records re-keyed for"
                  + " real, results discarded, for %.1f s)",
              rate,
              sample.tried(),
              CALIBRATION.toMillis() / 1000.0),
          Map.of("recordsPerSecondPerThread", Math.round(rate), "parallelism", parallelism));
      e.bound(
          "local CPU",
          records / (rate * parallelism),
          String.format(
              Locale.ROOT,
              "%d subtask%s at the calibrated rate",
              parallelism,
              parallelism == 1 ? "" : "s"));
    } catch (IOException ex) {
      throw new IllegalArgumentException("--input: cannot calibrate: " + ex.getMessage());
    }
  }

  /** The subtasks the run would have: --parallelism, else the cores here. */
  private static int parallelism(ReKeyOptions options) {
    Integer p = options.as(FlinkPipelineOptions.class).getParallelism();
    return p != null && p > 0 ? p : Runtime.getRuntime().availableProcessors();
  }
}
