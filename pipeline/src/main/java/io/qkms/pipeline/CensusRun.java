package io.qkms.pipeline;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyStoreOpenException;
import io.qkms.pipeline.census.Census;
import io.qkms.pipeline.census.CensusCounts;
import io.qkms.pipeline.census.CensusReport;
import io.qkms.pipeline.census.KeyCatalog;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.formats.RecordFiles;
import io.qkms.pipeline.report.Verdict;
import io.qkms.pipeline.transform.FieldRule;
import io.qkms.pipeline.worker.WorkerEngines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;

/**
 * {@code --census}: reads the input on the chosen runner, in parallel, and counts which key and
 * material each ciphertext's header names ({@link Census}); nothing is decrypted and no record is
 * written. With {@code --keystore} the launcher adds each material's creation time, whether it is
 * current, and the keys and materials no blob references ({@link KeyCatalog}). Prints the table and
 * writes {@code <output>/census.json}.
 */
final class CensusRun {
  static final String COUNTS_FILE = "_census-counts.json";

  private CensusRun() {}

  static ReKeyJob.Outcome run(
      ReKeyOptions options, JobPlan plan, PrintStream out, PrintStream err) {
    if (plan.replay()) {
      throw new IllegalArgumentException("--census reads --input, not --replayDeadLetters");
    }
    boolean local = FlinkSettings.local(options);
    String note = null;
    KeyCatalog catalog = null;
    if (plan.keystore() == null) {
      note =
          "no --keystore: keys are shown by ID; creation dates, current materials and the"
              + " materials no blob references are not known";
    } else {
      Path dir = Path.of(plan.keystore());
      if (plan.keystore().contains("://") || !Files.isDirectory(dir)) {
        if (local) {
          throw new IllegalArgumentException(
              "--keystore " + plan.keystore() + ": no such directory");
        }
        note = "the key store " + plan.keystore() + " is not on this machine; keys shown by ID";
      } else {
        catalog = catalog(plan, dir);
      }
    }

    String countsFile =
        FileSystems.matchNewResource(plan.output(), true)
            .resolve(COUNTS_FILE, StandardResolveOptions.RESOLVE_FILE)
            .toString();
    List<FieldPath> fields = new ArrayList<>();
    for (FieldRule f : plan.fields()) {
      fields.add(f.path());
    }
    Pipeline p = Pipeline.create(options);
    build(p, plan.input(), fields, countsFile);

    long t0 = System.nanoTime();
    CensusCounts counts;
    try {
      PipelineResult.State state = p.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        err.println("rekey: the census pipeline ended " + state);
        return new ReKeyJob.Outcome(Verdict.PIPELINE_FAILED.exitCode(), null);
      }
      counts = Census.read(countsFile);
      FileSystems.delete(
          List.of(FileSystems.matchNewResource(countsFile, false)),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException e) {
      err.println("rekey: the census failed: " + ReKeyJob.describe(e));
      return new ReKeyJob.Outcome(Verdict.PIPELINE_FAILED.exitCode(), null);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
    long first = counts.firstRecordMillis();
    Duration processing =
        first < 0 ? null : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - first));

    Map<String, String> run = new LinkedHashMap<>();
    run.put("runner", options.getRunner().getSimpleName());
    run.put("input", plan.inputPattern());
    run.put("inputFormat", plan.format().name());
    run.put("output", plan.output());
    run.put("keystore", plan.keystore());
    List<String> names = fields.stream().map(FieldPath::toString).toList();
    CensusReport report = CensusReport.of(counts, names, catalog, note, elapsed, processing, run);
    try {
      ReKeyJob.write(plan.output(), CensusReport.FILE, report.toJson());
    } catch (IOException e) {
      err.println("rekey: cannot write " + CensusReport.FILE + ": " + e.getMessage());
      out.print(report.table());
      return new ReKeyJob.Outcome(Verdict.PIPELINE_FAILED.exitCode(), null);
    }
    out.print(report.table());
    out.println(
        "  census: "
            + FileSystems.matchNewResource(plan.output(), true)
                .resolve(CensusReport.FILE, StandardResolveOptions.RESOLVE_FILE));
    return new ReKeyJob.Outcome(ReKeyJob.EXIT_OK, null);
  }

  private static <T> void build(
      Pipeline p, RecordFiles<T> files, List<FieldPath> fields, String countsFile) {
    files.read(p.begin()).apply("Census", Census.of(files.records(), fields, countsFile));
  }

  /** The store's keys and materials, read here with the run's region and principal. */
  private static KeyCatalog catalog(JobPlan plan, Path dir) {
    FileKeyStore store;
    try {
      store = WorkerEngines.openReadOnly(dir, System.getenv());
    } catch (KeyStoreOpenException e) {
      throw new IllegalArgumentException("--keystore: " + e.getMessage());
    }
    try (store;
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller = WorkerEngines.caller(engine, dir.toString(), plan.region(), plan.principal());
      return KeyCatalog.load(engine, caller);
    } catch (KmsException e) {
      throw new IllegalArgumentException(
          "--keystore: cannot list its keys and materials: "
              + e.errorCode()
              + ": "
              + e.getMessage());
    }
  }
}
