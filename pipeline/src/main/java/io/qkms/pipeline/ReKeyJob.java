package io.qkms.pipeline;

import io.qkms.pipeline.report.Progress;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.report.ReportPage;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.report.Timeline;
import io.qkms.pipeline.report.Verdict;
import io.qkms.pipeline.s3.S3Clients;
import io.qkms.pipeline.transform.TooManyFailuresException;
import io.qkms.pipeline.worker.ShippedKeyStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;

/**
 * The re-key job: reads records with ciphertext fields, re-encrypts every such field with the QKMS
 * engine in the workers, writes the re-encrypted records and the dead letters, then checks that
 * every record read was written or dead-lettered (metrics and files), writes {@code report.json}
 * and, when all checks passed, {@code _SUCCESS}, and prints a summary.
 *
 * <p>Before anything runs, the settings are checked ({@link JobPlan}, {@link Preflight}, {@link
 * SampleCheck}): a mistake is one line on stderr and exit 2, with nothing written. Exit codes of a
 * run that started: {@link Verdict}.
 */
public final class ReKeyJob {
  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;

  public static final String SUCCESS_FILE = "_SUCCESS";
  public static final String REPORT_FILE = "report.json";
  public static final String LOG_FILE = "rekey.log";

  /** How a run ended: the exit code and, when the job ran, its report. */
  public record Outcome(int exitCode, RunReport report) {}

  private ReKeyJob() {}

  public static void main(String[] args) {
    Thread.setDefaultUncaughtExceptionHandler(JobLog::uncaught);
    System.exit(run(args, System.out, System.err).exitCode());
  }

  /** Runs the job; prints the summary to {@code out} and problems to {@code err}. */
  public static Outcome run(String[] args, PrintStream out, PrintStream err) {
    JobLog.toConsole();
    if (JobArguments.wantsHelp(args)) {
      JobArguments.printHelp(args, out);
      return new Outcome(EXIT_OK, null);
    }
    RunScratch scratch = RunScratch.create();
    try {
      ReKeyOptions options;
      JobPlan plan;
      ResumableRun resumable = null;
      try {
        String[] normalized = JobArguments.normalize(args);
        PipelineOptionsFactory.register(ReKeyOptions.class);
        options =
            PipelineOptionsFactory.fromArgs(normalized).withValidation().as(ReKeyOptions.class);
        FlinkSettings.apply(options, normalized, scratch);
        S3Clients.install(options);
        AwsInstanceMetadata.offUnlessUsed(options, System.getProperties(), System.getenv());
        FileSystems.setDefaultPipelineOptions(options);
        plan = JobPlan.from(options);
        if (plan.mode() == JobPlan.Mode.CENSUS) {
          return CensusRun.run(options, plan, out, err);
        }
        if (options.getResume()) {
          // Before the checks of the settings: a finished run is left as it is.
          ResumableRun.Prepared r = ResumableRun.prepare(options, plan);
          if (r.finished() != null) {
            out.println("rekey: --resume: " + r.finished());
            return new Outcome(EXIT_OK, null);
          }
          resumable = r.run();
          plan = resumable.plan();
        }
        if (plan.kms() != null) {
          // Through a KMS endpoint: its checks and the estimate, before a request is paid for.
          out.print(RemotePreflight.check(plan, System.getenv()).text());
          plan = RemotePreflight.resolveSelection(plan);
          if (resumable != null) {
            resumable = resumable.withPlan(plan);
          }
          if (plan.kms().estimateOnly()) {
            out.println("rekey: --estimateOnly: nothing was run or written");
            return new Outcome(EXIT_OK, null);
          }
        } else {
          String note = Preflight.check(plan, System.getenv(), FlinkSettings.local(options));
          if (note != null) {
            err.println(note);
          }
        }
        if (plan.mode() == JobPlan.Mode.ESTIMATE) {
          return EstimateRun.run(options, plan, out);
        }
        if (resumable == null && options.getResumable()) {
          resumable = ResumableRun.prepare(options, plan).run();
        }
        if (plan.shipKeystore()) {
          shipKeystore(options, plan, scratch);
        }
      } catch (IllegalArgumentException | IllegalStateException e) {
        err.println("rekey: " + e.getMessage());
        err.println("rekey: nothing was written; --help lists the options");
        return new Outcome(EXIT_USAGE, null);
      }
      return run(options, plan, resumable, scratch, out, err);
    } finally {
      scratch.close();
    }
  }

  private static Outcome run(
      ReKeyOptions options,
      JobPlan plan,
      ResumableRun resumable,
      RunScratch scratch,
      PrintStream out,
      PrintStream err) {
    Map<String, String> run = describe(options, plan);
    Pipeline pipeline = Pipeline.create(options);
    try {
      if (resumable != null) {
        resumable.build(pipeline);
        run.putAll(resumable.describe());
      } else {
        ReKeyPipeline.build(pipeline, plan);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("rekey: " + e.getMessage());
      err.println("rekey: nothing was written; --help lists the options");
      return new Outcome(EXIT_USAGE, null);
    }
    Path logFile = logFile(plan, scratch);
    // Where the log ends up: an object store's copy is made when the run is over.
    String logShown = remote(plan) ? resolve(plan.output(), LOG_FILE) : logFile.toString();
    run.put("log", logShown);

    Instant start = Instant.now();
    long t0 = System.nanoTime();
    RunReport report;
    // Records over time, where the workers share this JVM (the progress lines' figure).
    boolean sampled = FlinkSettings.local(options) && plan.progressSeconds() > 0;
    String label = ReKeyPipeline.progressLabel(plan);
    try (JobLog.FileLog log = JobLog.toFile(logFile);
        Timeline timeline =
            sampled ? Timeline.start(() -> Progress.recordsOf(label), 1_000) : null) {
      report = execute(pipeline, plan, resumable, run, start, t0, err);
      if (timeline != null) {
        timeline.close();
        report = report.withTimeline(timeline.points());
      }
    } catch (IOException e) {
      err.println("rekey: cannot write the log " + logFile + ": " + e.getMessage());
      return new Outcome(Verdict.PIPELINE_FAILED.exitCode(), null);
    }

    ownFileSystems(options);
    try {
      write(plan.output(), REPORT_FILE, report.toJson());
      write(plan.output(), ReportPage.FILE, report.toHtml());
      if (remote(plan)) {
        // An object cannot be appended to: the log is written here, then copied beside the report.
        copy(logFile, plan.output(), LOG_FILE);
      }
      if (report.verdict().succeeded()) {
        write(plan.output(), SUCCESS_FILE, "");
      }
    } catch (IOException e) {
      String why = "cannot write the report in " + plan.output() + ": " + e.getMessage();
      err.println("rekey: " + why);
      err.println("rekey: the run's log is " + keep(logFile, plan));
      // Without its report and _SUCCESS the run has not succeeded, whatever its checks said.
      if (report.verdict().succeeded()) {
        report = report.failedAfterwards(Verdict.PIPELINE_FAILED, why);
      }
      out.print(report.summary());
      return new Outcome(Verdict.PIPELINE_FAILED.exitCode(), report);
    }
    out.print(report.summary());
    if (!report.verdict().succeeded()) {
      out.println("  log: " + logShown);
    }
    return new Outcome(report.verdict().exitCode(), report);
  }

  /** Runs the pipeline, then counts and checks. */
  private static RunReport execute(
      Pipeline pipeline,
      JobPlan plan,
      ResumableRun resumable,
      Map<String, String> run,
      Instant start,
      long t0,
      PrintStream err) {
    try (ResumableRun.Watch watch =
        resumable == null
            ? null
            : resumable.watchJobId(pipeline.getOptions().as(ReKeyOptions.class))) {
      PipelineResult result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      ownFileSystems(pipeline.getOptions());
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      if (state != PipelineResult.State.DONE) {
        return RunReport.unfinished(
            Verdict.PIPELINE_FAILED, "the pipeline ended " + state, start, elapsed, run);
      }
      Map<String, Long> counters = ReKeyMetrics.settledCounters(result.metrics());
      if (plan.kms() == null) {
        audit(plan, counters, run, err); // this attempt's counts, before earlier attempts' join
      }
      if (resumable != null) {
        counters = resumable.withEarlier(counters); // shards committed by earlier attempts
      }
      RunReport.Committed committed = null;
      if (plan.checkCommitted()) {
        try {
          committed = CommittedCounts.of(plan);
        } catch (IOException | RuntimeException e) {
          return RunReport.unfinished(
              Verdict.COUNTS_DO_NOT_ADD_UP,
              "cannot count the records in the files: " + describe(e),
              start,
              elapsed,
              run);
        }
      }
      return RunReport.of(counters, committed, start, elapsed, run, plan.maxDeadLetterFraction());
    } catch (RuntimeException e) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
      String stopped = tooManyFailures(e);
      return stopped != null
          ? RunReport.unfinished(Verdict.TOO_MANY_DEAD_LETTERS, stopped, start, elapsed, run)
          : RunReport.unfinished(Verdict.PIPELINE_FAILED, describe(e), start, elapsed, run);
    }
  }

  /**
   * The embedded engine's lines in the key store's audit trail ({@link RunAudit}). A trail that
   * cannot be written is reported on stderr and in the report, not fatal: the job has run.
   */
  private static void audit(
      JobPlan plan, Map<String, Long> counters, Map<String, String> run, PrintStream err) {
    try {
      int lines = RunAudit.record(plan, counters);
      run.put("auditTrail", lines + " line(s) in " + Path.of(plan.keystore(), "audit"));
    } catch (Exception e) {
      String why = "cannot write the key store's audit trail: " + describe(e);
      err.println("rekey: " + why);
      run.put("auditTrail", why);
    }
  }

  /**
   * The message of a {@link TooManyFailuresException} among the causes of {@code e}, or null. By
   * class name: a Flink cluster sends its failures back serialized, as a throwable whose text
   * begins with the original class's name.
   */
  static String tooManyFailures(Throwable e) {
    String name = TooManyFailuresException.class.getName();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String text = t.toString();
      if (text.startsWith(name)) {
        return text.length() > name.length() + 2 ? text.substring(name.length() + 2) : name;
      }
    }
    return null;
  }

  /**
   * Registers the file systems with the launcher's options again. The runner's workers in this JVM
   * registered them with the options they were sent (same options ID, a later revision, which Beam
   * then keeps); the checks and the report use the launcher's own, made current by a new ID.
   */
  private static void ownFileSystems(PipelineOptions options) {
    options.setOptionsId(PipelineOptionsFactory.create().getOptionsId());
    FileSystems.setDefaultPipelineOptions(options);
  }

  /**
   * The run's log: in its output directory when that is local, else in the run's scratch folder
   * (never the working directory) until the run is over, then copied beside the report.
   */
  private static Path logFile(JobPlan plan, RunScratch scratch) {
    return remote(plan)
        ? scratch.dir().resolve(LOG_FILE)
        : Path.of(plan.output()).resolve(LOG_FILE);
  }

  /**
   * A remote run's log that could not be copied into the output: moved out of the scratch folder
   * (deleted when the run ends) into the temporary directory, so the user can read it.
   */
  private static Path keep(Path logFile, JobPlan plan) {
    if (!remote(plan)) {
      return logFile;
    }
    Path kept =
        Path.of(System.getProperty("java.io.tmpdir"), "qkms-rekey-" + plan.runId() + ".log");
    try {
      return Files.move(logFile, kept);
    } catch (IOException e) {
      return logFile;
    }
  }

  /**
   * Packs the key store's store file (never its root key) into a jar in the run's scratch folder
   * and adds it to the files Flink stages with the job, where the workers find it as a resource.
   */
  private static void shipKeystore(ReKeyOptions options, JobPlan plan, RunScratch scratch) {
    if (!FlinkSettings.remote(options)) {
      throw new IllegalArgumentException(
          "--shipKeystore needs a Flink cluster (--runner=FlinkRunner --flinkMaster=host:port);"
              + " other runs read --keystore directly");
    }
    Path jar = scratch.dir().resolve("qkms-keystore-" + plan.runId() + ".jar");
    try {
      ShippedKeyStore.pack(Path.of(plan.keystore()), plan.runId(), jar);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--shipKeystore: cannot pack the key store: " + e.getMessage());
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
  }

  private static Map<String, String> describe(ReKeyOptions options, JobPlan plan) {
    Map<String, String> run = new LinkedHashMap<>();
    run.put("runId", plan.runId());
    run.put("runner", options.getRunner().getSimpleName());
    run.put(plan.replay() ? "replayDeadLetters" : "input", plan.inputPattern());
    run.put("inputFormat", plan.format().name());
    run.putAll(plan.input().settings());
    run.put("output", plan.output());
    run.put("deadLetter", plan.deadLetter());
    run.put("fields", JobPlan.describeFields(plan.fields()));
    if (plan.kms() == null) {
      run.put("keystore", plan.keystore() + (plan.shipKeystore() ? " (shipped with the job)" : ""));
    } else {
      KmsEndpoint k = plan.kms();
      run.put("kmsEndpoint", k.url());
      if (k.caBundle() != null) {
        run.put("kmsCaBundle", k.caBundle());
      }
      run.put("region", k.region());
      run.put(
          "kmsMaxRequestsPerSecond",
          k.maxRequestsPerSecond() > 0 ? Double.toString(k.maxRequestsPerSecond()) : "none");
      run.put("kmsMaxInFlight", Integer.toString(k.maxInFlight()));
      run.put("kmsBatchSize", Integer.toString(k.batchSize()));
      run.put(RunReport.KMS_PRICE_PER_10K, Double.toString(k.pricePer10k()));
    }
    run.put("skipIfCurrent", Boolean.toString(plan.skipIfCurrent()));
    if (!plan.selection().selectsAll()) {
      run.put("selection", plan.selection().toString());
    }
    // Which Java ran the job, and how the launcher chose it (scripts/lib/launcher.sh).
    run.put("java", System.getProperty("java.version") + " " + System.getProperty("java.home"));
    run.put("javaChosenBy", System.getProperty("qkms.java.chosenBy", "the command line"));
    run.put("startupCache", System.getProperty("qkms.aotCache", "none"));
    return run;
  }

  /** The root cause's type and message: engine and job messages never hold plaintext. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static String resolve(String directory, String name) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(name, StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  private static boolean remote(JobPlan plan) {
    return plan.output().contains("://");
  }

  private static void copy(Path local, String directory, String name) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(directory, true)
            .resolve(name, StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(file, MimeTypes.TEXT))) {
      java.nio.file.Files.copy(local, os);
    }
  }

  static void write(String directory, String name, String text) throws IOException {
    ResourceId file =
        FileSystems.matchNewResource(directory, true)
            .resolve(name, StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream os = Channels.newOutputStream(FileSystems.create(file, MimeTypes.TEXT))) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // Whole or absent: no part-written report (on a full disk, say) that looks like one.
      try {
        FileSystems.delete(List.of(file), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      } catch (IOException | RuntimeException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
  }
}
