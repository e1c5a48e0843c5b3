package io.qkms.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.worker.ShippedKeyStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The re-key job: reads records with ciphertext fields, re-encrypts every such field with the QKMS
 * engine in the workers, writes the re-encrypted records and the dead letters, then checks from the
 * metrics that every record read was written or dead-lettered, writes {@code report.json} and, when
 * all checks passed, {@code _SUCCESS}, and prints a summary.
 *
 * <p>Exit codes: 0 done; 1 the pipeline failed; 2 bad options or settings; 3 the counts do not add
 * up; 4 more dead letters than {@code --maxDeadLetterFraction}; 5 records were dead-lettered by
 * transient errors (the engine or key store was unavailable: replay them).
 */
public final class ReKeyJob {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_COUNTS = 3;
  public static final int EXIT_DEAD_LETTERS = 4;
  public static final int EXIT_TRANSIENT = 5;

  public static final String SUCCESS_FILE = "_SUCCESS";
  public static final String REPORT_FILE = "report.json";

  /** How a run ended: the exit code and, when the job ran, its report. */
  public record Outcome(int exitCode, RunReport report) {}

  private ReKeyJob() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err).exitCode());
  }

  /** Runs the job; prints the summary to {@code out} and problems to {@code err}. */
  public static Outcome run(String[] args, PrintStream out, PrintStream err) {
    PipelineOptionsFactory.register(ReKeyOptions.class);
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      printHelp(out);
      return new Outcome(EXIT_OK, null);
    }
    ReKeyOptions options;
    JobPlan plan;
    try {
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(ReKeyOptions.class);
      applyRunnerDefaults(options, args);
      FileSystems.setDefaultPipelineOptions(options);
      plan = JobPlan.from(options);
      String note = Preflight.check(plan, System.getenv());
      if (note != null) {
        err.println(note);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("rekey: " + e.getMessage());
      err.println("rekey: --help lists the options");
      return new Outcome(EXIT_USAGE, null);
    }

    Path shippedJar = null;
    if (plan.shipKeystore()) {
      try {
        shippedJar = shipKeystore(options, plan);
      } catch (IllegalArgumentException e) {
        err.println("rekey: " + e.getMessage());
        return new Outcome(EXIT_USAGE, null);
      } catch (IOException e) {
        err.println("rekey: --shipKeystore: cannot pack the key store: " + e.getMessage());
        return new Outcome(EXIT_FAILED, null);
      }
    }
    try {
      return run(options, plan, out, err);
    } finally {
      if (shippedJar != null) {
        try {
          Files.deleteIfExists(shippedJar);
        } catch (IOException e) {
          err.println("rekey: cannot delete " + shippedJar + ": " + e.getMessage());
        }
      }
    }
  }

  private static Outcome run(ReKeyOptions options, JobPlan plan, PrintStream out, PrintStream err) {
    Map<String, String> run = describe(options, plan);
    Pipeline pipeline = Pipeline.create(options);
    try {
      ReKeyPipeline.build(pipeline, plan);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("rekey: " + e.getMessage());
      return new Outcome(EXIT_USAGE, null);
    }

    Instant start = Instant.now();
    long t0 = System.nanoTime();
    RunReport report;
    try {
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      if (state != PipelineResult.State.DONE) {
        report = RunReport.failedRun("the pipeline ended " + state, start, elapsed, run);
      } else {
        Map<String, Long> counters = RunReport.settledCounters(result.metrics());
        RunReport.Committed committed = null;
        String countFailure = null;
        if (plan.checkCommitted()) {
          try {
            committed = CommittedCounts.of(plan);
          } catch (IOException | RuntimeException e) {
            countFailure = "cannot count the records in the files: " + describe(e);
          }
        }
        report =
            countFailure != null
                ? RunReport.failedRun(countFailure, start, elapsed, run)
                : RunReport.of(
                    counters, committed, start, elapsed, run, plan.maxDeadLetterFraction());
      }
    } catch (RuntimeException e) {
      report =
          RunReport.failedRun(describe(e), start, Duration.ofNanos(System.nanoTime() - t0), run);
    }

    try {
      write(plan.output(), REPORT_FILE, report.toJson());
      if (report.status() == RunReport.Status.SUCCEEDED) {
        write(plan.output(), SUCCESS_FILE, "");
      }
    } catch (IOException e) {
      err.println("rekey: cannot write the report in " + plan.output() + ": " + e.getMessage());
      out.print(report.summary());
      return new Outcome(EXIT_FAILED, report);
    }
    out.print(report.summary());
    return new Outcome(exitCode(report), report);
  }

  private static int exitCode(RunReport report) {
    if (report.status() == RunReport.Status.SUCCEEDED) {
      return EXIT_OK;
    }
    if (report.failure() != null && report.failure().startsWith("counts do not add up")) {
      return EXIT_COUNTS;
    }
    if (report.failure() != null && report.failure().startsWith("dead letters are")) {
      return EXIT_DEAD_LETTERS;
    }
    if (report.failure() != null && report.failure().startsWith("transient failures")) {
      return EXIT_TRANSIENT;
    }
    return EXIT_FAILED;
  }

  /**
   * On Flink, unless given: one subtask per core; {@code --fasterCopy} (our DoFns never change
   * their inputs or outputs after emitting them, so Flink need not copy records between chained
   * operators); and the DataStream translation of batch jobs with large bundles. On the DataSet
   * translation a ParDo with a failures output cannot be chained with what follows, so every record
   * is encoded and decoded once more between tasks; the DataStream one chains it through side
   * outputs, and large bundles keep the runner's per-bundle metric updates rare. Measured on the
   * 1,000,000-record benchmark: 36 s with the DataSet translation, 21 s with this.
   */
  static void applyRunnerDefaults(ReKeyOptions options, String[] args) {
    if (!options.getRunner().getSimpleName().startsWith("Flink")
        && !options.getRunner().getSimpleName().startsWith("TestFlink")) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getParallelism() <= 0 && !insideFlinkRun(flink)) {
      // On a cluster, its own default (the runner would take 1: it reads only a local config).
      // Under `flink run`, what that command says (-p, or its configuration) applies.
      int p =
          remoteFlink(options)
              ? clusterParallelism(flink.getFlinkMaster())
              : Runtime.getRuntime().availableProcessors();
      if (p > 0) {
        flink.setParallelism(p);
      }
    }
    if (!remoteFlink(options)
        && !insideFlinkRun(flink)
        && !given(args, "--flinkConfDir")
        && System.getenv("FLINK_CONF_DIR") == null) {
      // Flink's embedded cluster otherwise offers one task slot, and batch regions then run one
      // subtask after another: measured 130-140k records/s against 160-175k with a slot each.
      flink.setFlinkConfDir(embeddedClusterConfig(flink.getParallelism()));
    }
    if (!given(args, "--fasterCopy")) {
      flink.setFasterCopy(true);
    }
    if (!given(args, "--useDataStreamForBatch")) {
      flink.setUseDataStreamForBatch(true);
    }
    if (!given(args, "--maxBundleSize")) {
      flink.setMaxBundleSize(100_000L);
    }
    if (!given(args, "--maxBundleTimeMills")) {
      flink.setMaxBundleTimeMills(60_000L);
    }
  }

  /**
   * A Flink configuration folder for the embedded cluster: one task slot per subtask, and pipelined
   * exchanges. The file writes end in a chain of tiny stages (gather the temporary files, then
   * rename them); with batch mode's blocking exchanges Flink deploys them one after another once
   * the last record is written, 0.5-0.6 s of every run, against about 0.1 s when all are deployed
   * up front (measured on the 1M-record benchmark). Pipelined batch exchanges need Flink's default
   * scheduler rather than the adaptive batch one. And loopback only: the embedded cluster still
   * opens a REST endpoint (which accepts job submissions, i.e. code to run) and a BLOB server, and
   * Flink binds both to every interface unless told. Clusters keep their own configuration.
   */
  static String embeddedClusterConfig(int parallelism) {
    try {
      Path dir = Files.createTempDirectory("qkms-flink-conf-");
      Path config = dir.resolve("config.yaml");
      Files.writeString(
          config,
          "taskmanager.numberOfTaskSlots: "
              + Math.max(1, parallelism)
              + "\n"
              + "execution.batch-shuffle-mode: ALL_EXCHANGES_PIPELINED\n"
              + "jobmanager.scheduler: Default\n"
              + "jobmanager.bind-host: 127.0.0.1\n"
              + "rest.bind-address: 127.0.0.1\n"
              + "rest.address: 127.0.0.1\n");
      config.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return dir.toString();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write the embedded Flink configuration", e);
    }
  }

  /** True if {@code flink run} launched this job: it installs a cluster's context environment. */
  static boolean insideFlinkRun(FlinkPipelineOptions flink) {
    return "[auto]".equals(flink.getFlinkMaster())
        && !(StreamExecutionEnvironment.getExecutionEnvironment()
            instanceof LocalStreamEnvironment);
  }

  /** True if the job goes to a Flink cluster by its REST address (host:port). */
  static boolean remoteFlink(ReKeyOptions options) {
    if (!options.getRunner().getSimpleName().startsWith("Flink")) {
      return false;
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    return master != null && !master.isBlank() && !master.startsWith("[");
  }

  /**
   * The {@code parallelism.default} of the Flink cluster at {@code master} (host:port), from its
   * REST API; 0 if it cannot be had.
   */
  static int clusterParallelism(String master) {
    String base = master.startsWith("http://") ? master : "http://" + master;
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/jobmanager/config"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return 0;
      }
      for (JsonNode entry : new ObjectMapper().readTree(response.body())) {
        if ("parallelism.default".equals(entry.path("key").asText())) {
          return Integer.parseInt(entry.path("value").asText().strip());
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Packs the key store's store file (never its root key) into a jar in the temporary folder and
   * adds it to the files Flink stages with the job, where the workers find it as a resource.
   *
   * @return the jar, to delete once the job is over
   */
  private static Path shipKeystore(ReKeyOptions options, JobPlan plan) throws IOException {
    if (!remoteFlink(options)) {
      throw new IllegalArgumentException(
          "--shipKeystore needs a Flink cluster (--runner=FlinkRunner --flinkMaster=host:port);"
              + " other runs read --keystore directly");
    }
    Path dir = Path.of(plan.keystore());
    Path jar = Files.createTempFile("qkms-keystore-" + plan.runId() + "-", ".jar");
    try {
      ShippedKeyStore.pack(dir, plan.runId(), jar);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(jar);
      throw e;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    List<String> files =
        flink.getFilesToStage() != null
            ? new ArrayList<>(flink.getFilesToStage())
            : new ArrayList<>(
                PipelineResources.detectClassPathResourcesToStage(
                    ReKeyJob.class.getClassLoader(), options));
    files.add(jar.toString());
    flink.setFilesToStage(files);
    return jar;
  }

  private static boolean given(String[] args, String option) {
    for (String a : args) {
      if (a.equals(option) || a.startsWith(option + "=")) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> describe(ReKeyOptions options, JobPlan plan) {
    Map<String, String> run = new LinkedHashMap<>();
    run.put("runId", plan.runId());
    run.put("runner", options.getRunner().getSimpleName());
    run.put(plan.replay() ? "replayDeadLetters" : "input", plan.inputPattern());
    run.put("inputFormat", plan.format().name().toLowerCase());
    run.put("output", plan.output());
    run.put("deadLetter", plan.deadLetter());
    run.put("keystore", plan.keystore() + (plan.shipKeystore() ? " (shipped with the job)" : ""));
    run.put("skipIfCurrent", Boolean.toString(plan.skipIfCurrent()));
    return run;
  }

  /** The root cause's type and message: engine and job messages never hold plaintext. */
  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static void write(String directory, String name, String text) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(directory, true)
            .resolve(name, StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(file, MimeTypes.TEXT))) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void printHelp(PrintStream out) {
    out.println("QKMS re-key: re-encrypts ciphertext fields of Avro or JSON Lines records.");
    out.println();
    out.println("  scripts/rekey --input=<pattern> --output=<run dir> --keystore=<dir> \\");
    out.println("      --fields=<path,...> --destinationKeyId=<key> [options]");
    out.println();
    PipelineOptionsFactory.printHelp(out, ReKeyOptions.class);
    out.println();
    out.println("Runner options: --runner=FlinkRunner|DirectRunner; for Flink see");
    out.println("  --help=FlinkPipelineOptions (--parallelism, --flinkMaster, --fasterCopy, ...)");
    out.println("Exit codes: 0 done, 1 failed, 2 bad options, 3 counts do not add up,");
    out.println("  4 more dead letters than --maxDeadLetterFraction, 5 records dead-lettered by");
    out.println("  transient errors (engine or key store unavailable: replay them).");
  }
}
