package io.qkms.pipeline;

import io.qkms.pipeline.fields.AvroRecords;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.manifest.ShardFn;
import io.qkms.pipeline.manifest.ShardFormat;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.read.Shards;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.FieldRule;
import io.qkms.pipeline.transform.ReEncrypt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.ParDo;
import org.slf4j.LoggerFactory;

/**
 * A run that records its progress ({@code --resumable}) or continues one ({@code --resume}): the
 * input is cut into shards ({@link Shards}), each re-keyed, written and committed on its own in the
 * run's {@link Manifest}; a resumed run checks the manifest and its settings, does only the shards
 * not committed, and its report covers every shard of every attempt (the counts of shards committed
 * earlier come from their manifest entries).
 */
final class ResumableRun {
  private final JobPlan plan;
  private final Manifest.Run run;
  private final Map<Integer, Manifest.Entry> earlier;
  private final List<Shards.Shard> pending;
  private final int attempt;

  private ResumableRun(
      JobPlan plan,
      Manifest.Run run,
      Map<Integer, Manifest.Entry> earlier,
      List<Shards.Shard> pending,
      int attempt) {
    this.plan = plan;
    this.run = run;
    this.earlier = earlier;
    this.pending = pending;
    this.attempt = attempt;
  }

  /** What --resume found: a run to continue, or one that had already finished. */
  record Prepared(ResumableRun run, String finished) {}

  /**
   * Checks the options and, for --resume, the manifest; starts the manifest of a new resumable run.
   * Changes nothing in the output before every check passed.
   *
   * @return null when the run is not resumable
   * @throws IllegalArgumentException naming the option, setting or manifest file at fault
   */
  static Prepared prepare(ReKeyOptions o, JobPlan plan) {
    if (!o.getResumable() && !o.getResume()) {
      return null;
    }
    String flag = o.getResume() ? "--resume" : "--resumable";
    if (plan.replay() || !List.of("avro", "jsonl").contains(plan.format().name())) {
      throw new IllegalArgumentException(
          flag
              + ": resumable runs read Avro or JSON Lines input files (not "
              + (plan.replay() ? "dead letters" : plan.format().name())
              + ")");
    }
    if (o.getShardBytes() != null && o.getShardBytes() < 1) {
      throw new IllegalArgumentException(
          "--shardBytes must be at least 1, was " + o.getShardBytes());
    }
    long total = plan.inputFiles().stream().mapToLong(InputFile::sizeBytes).sum();
    long shardBytes = o.getShardBytes() != null ? o.getShardBytes() : Shards.defaultBytes(total);
    List<Shards.Shard> shards =
        plan.format().name().equals("avro")
            ? Shards.avro(plan.inputFiles(), shardBytes)
            : Shards.lines(plan.inputFiles(), shardBytes);
    Map<String, String> settings = settings(o, plan, shardBytes);
    try {
      if (!o.getResume()) {
        Manifest.Run run = new Manifest.Run(settings, shards, List.of(plan.runId()));
        Manifest.writeRun(plan.output(), withResolvedTime(run, plan));
        Manifest.writeAttempt(plan.output(), attempt(o, plan, 1));
        return new Prepared(new ResumableRun(plan, run, Map.of(), shards, 1), null);
      }
      Prepared p = resume(plan, settings, shards);
      if (p.run() != null) {
        Manifest.writeAttempt(plan.output(), attempt(o, plan, p.run().attempt));
      }
      return p;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          flag + ": cannot use the manifest in " + plan.output() + ": " + e.getMessage());
    }
  }

  private static Prepared resume(
      JobPlan plan, Map<String, String> settings, List<Shards.Shard> shards) throws IOException {
    String output = plan.output();
    if (Manifest.exists(output) == false) {
      if (exists(output, ReKeyJob.SUCCESS_FILE)) {
        return new Prepared(null, output + " holds a finished run (_SUCCESS): nothing to resume");
      }
      throw new IllegalArgumentException(
          "--resume: "
              + output
              + (exists(output, ReKeyJob.REPORT_FILE)
                  ? " holds a run that was not started with --resumable: it cannot be resumed;"
                      + " start it again in a new --output"
                  : " holds no run to resume (no "
                      + Manifest.DIR
                      + "/"
                      + Manifest.RUN_FILE
                      + "): start the run without --resume, with --resumable"));
    }
    Manifest.Run run;
    Map<Integer, Manifest.Entry> entries;
    Manifest.Attempt last;
    try {
      run = Manifest.readRun(output);
      entries = Manifest.readEntries(output, run);
      last = Manifest.readAttempt(output);
    } catch (Manifest.ManifestException e) {
      throw new IllegalArgumentException(
          "--resume: the manifest cannot be trusted, nothing was changed: " + e.getMessage());
    }
    for (String name : settings.keySet()) {
      String was = run.settings().get(name);
      String now = settings.get(name);
      if (!now.equals(was)) {
        throw new IllegalArgumentException(
            "--resume: the run in "
                + output
                + " was started with other settings: "
                + name
                + " was "
                + (was == null ? "not given" : "'" + was + "'")
                + ", is now '"
                + now
                + "'; resume with the run's settings, or start a new run in another --output");
      }
    }
    if (!run.shards().equals(shards)) {
      throw new IllegalArgumentException(
          "--resume: the input's shards differ from the run's ("
              + run.shards().size()
              + " then, "
              + shards.size()
              + " now)");
    }
    if (exists(output, ReKeyJob.SUCCESS_FILE)) {
      return new Prepared(
          null,
          output
              + " holds a finished run (_SUCCESS, "
              + entries.size()
              + " shards committed):"
              + " nothing to resume");
    }
    // An earlier attempt's job that still runs on a session cluster would commit the same shards.
    if (last != null && last.cluster() != null) {
      String refusal = EarlierAttempt.refusal(last, EarlierAttempt.ask(last), output);
      if (refusal != null) {
        throw new IllegalArgumentException(refusal);
      }
    }
    // The run's own time for --onlyMaterialsCreatedBefore (a duration counted from its start).
    JobPlan resumed = plan;
    String time = run.settings().get("resolved.materialsCreatedBefore");
    if (time != null && !time.isEmpty()) {
      resumed =
          plan.withSelection(plan.selection().withMaterialsCreatedBefore(Instant.parse(time)));
    }
    List<Shards.Shard> pending = new ArrayList<>();
    for (Shards.Shard s : run.shards()) {
      if (!entries.containsKey(s.index())) {
        pending.add(s);
      }
    }
    // Every check passed: clear what unfinished shards left, and record the attempt.
    Manifest.deleteTemporaryFiles(output);
    deleteParts(pending, plan.output(), plan.deadLetter(), plan.format().name());
    List<String> attempts = new ArrayList<>(run.attempts());
    attempts.add(plan.runId());
    Manifest.Run updated = new Manifest.Run(run.settings(), run.shards(), attempts);
    Manifest.writeRun(output, updated);
    return new Prepared(
        new ResumableRun(resumed, updated, entries, pending, attempts.size()), null);
  }

  /** A watch that {@link #close} stops. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** This attempt as the manifest records it; the job's ID comes later ({@link #watchJobId}). */
  private static Manifest.Attempt attempt(ReKeyOptions o, JobPlan plan, int number) {
    String cluster =
        FlinkSettings.remote(o) ? o.as(FlinkPipelineOptions.class).getFlinkMaster().strip() : null;
    return new Manifest.Attempt(
        number, plan.runId(), o.getJobName(), null, cluster, Instant.now().toString());
  }

  /**
   * On a session cluster, records the job's ID in the manifest once the cluster lists the job (the
   * runner gives it only when the job has ended). Closing stops the watch.
   */
  Watch watchJobId(ReKeyOptions o) {
    Manifest.Attempt a;
    try {
      a = Manifest.readAttempt(plan.output());
    } catch (IOException | Manifest.ManifestException e) {
      throw new IllegalStateException("Cannot read the attempt in the manifest: " + e.getMessage());
    }
    if (a == null || a.cluster() == null) {
      return () -> {};
    }
    Thread t =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  String id = null;
                  try {
                    id = EarlierAttempt.jobIdOf(a.cluster(), a.jobName());
                  } catch (IOException e) {
                    // The cluster answers again later, or the run fails on its own.
                  }
                  if (id != null) {
                    Manifest.writeAttempt(plan.output(), a.withJobId(id));
                    return;
                  }
                  Thread.sleep(200);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (IOException e) {
                LoggerFactory.getLogger(ResumableRun.class)
                    .warn("cannot record the job's ID in the manifest: {}", e.getMessage());
              }
            },
            "qkms-attempt-job-id");
    t.setDaemon(true);
    t.start();
    return t::interrupt;
  }

  private static Manifest.Run withResolvedTime(Manifest.Run run, JobPlan plan) {
    Instant t = plan.selection().materialsCreatedBefore();
    Map<String, String> s = new TreeMap<>(run.settings());
    s.put("resolved.materialsCreatedBefore", t == null ? "" : t.toString());
    return new Manifest.Run(s, run.shards(), run.attempts());
  }

  /** The settings a resumed run must share with the run it continues. */
  static Map<String, String> settings(ReKeyOptions o, JobPlan plan, long shardBytes) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("input", plan.inputPattern());
    StringBuilder files = new StringBuilder();
    plan.inputFiles()
        .forEach(f -> files.append(f.path()).append(' ').append(f.sizeBytes()).append('\n'));
    s.put("inputFiles", plan.inputFiles().size() + " files, SHA-256 " + sha256(files.toString()));
    s.put("inputFormat", plan.format().name());
    s.put("deadLetter", plan.deadLetter());
    StringBuilder fields = new StringBuilder();
    for (FieldRule f : plan.fields()) {
      fields
          .append(f.path())
          .append(' ')
          .append(f.sourceKeyId())
          .append(' ')
          .append(f.destinationKeyId())
          .append(' ')
          .append(f.sourceContext())
          .append(' ')
          .append(f.destinationContext())
          .append(';');
    }
    s.put("fields", fields.toString());
    s.put("sourceKeyId", String.valueOf(plan.sourceKeyId()));
    s.put("destinationKeyId", String.valueOf(plan.destinationKeyId()));
    s.put("sourceEncryptionContext", new TreeMap<>(plan.sourceContext()).toString());
    s.put("destinationEncryptionContext", new TreeMap<>(plan.destinationContext()).toString());
    s.put(
        "grantTokens",
        plan.grantTokens().isEmpty()
            ? "none"
            : "SHA-256 " + sha256(String.join(",", plan.grantTokens())));
    // Where the keys are: a key store's path may change between attempts (the store is the same
    // wherever it lies), an endpoint may not (another endpoint is another KMS). Never credentials:
    // they come from the SDK's chain, and a URL with user information is refused.
    s.put("kmsEndpoint", plan.kms() == null ? "none (a key store)" : plan.kms().url());
    s.put("region", String.valueOf(plan.kms() == null ? plan.region() : plan.kms().region()));
    s.put("principal", String.valueOf(plan.principal()));
    s.put("skipIfCurrent", Boolean.toString(plan.skipIfCurrent()));
    s.put("onlySourceKeys", String.join(",", plan.selection().sourceKeys()));
    s.put(
        "onlyMaterialsCreatedBefore",
        o.getOnlyMaterialsCreatedBefore() == null ? "" : o.getOnlyMaterialsCreatedBefore().strip());
    s.put("shardBytes", Long.toString(shardBytes));
    return s;
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean exists(String dir, String name) {
    try {
      return !FileSystems.match(
              FileSystems.matchNewResource(dir, true)
                  .resolve(name, StandardResolveOptions.RESOLVE_FILE)
                  .toString())
          .metadata()
          .isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** The files an unfinished shard may have left under its own names. */
  private static void deleteParts(
      List<Shards.Shard> pending, String output, String deadLetter, String format)
      throws IOException {
    String suffix = format.equals("avro") ? ".avro" : ".jsonl";
    List<ResourceId> files = new ArrayList<>();
    for (Shards.Shard s : pending) {
      for (String dir : List.of(output, deadLetter)) {
        files.add(
            FileSystems.matchNewResource(dir, true)
                .resolve(ShardFn.partName(s.index(), suffix), StandardResolveOptions.RESOLVE_FILE));
      }
    }
    FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
  }

  JobPlan plan() {
    return plan;
  }

  /** This run with the plan completed by the checks before it (keys resolved, say). */
  ResumableRun withPlan(JobPlan p) {
    return new ResumableRun(p, run, earlier, pending, attempt);
  }

  /** The pipeline: the pending shards' numbers, spread over the subtasks, each shard re-keyed. */
  void build(Pipeline p) {
    if (!plan.output().contains("://")) {
      try {
        Files.createDirectories(Path.of(plan.output()));
        if (!plan.deadLetter().contains("://")) {
          Files.createDirectories(Path.of(plan.deadLetter()));
        }
      } catch (IOException e) {
        throw new IllegalStateException("Cannot make " + plan.output() + ": " + e.getMessage());
      }
    }
    if (plan.format().name().equals("avro")) {
      org.apache.avro.Schema schema = ((AvroRecords) plan.input().records()).schema();
      build(p, ShardFormat.avro(schema), ReEncrypt.avroRecords());
    } else {
      build(p, ShardFormat.jsonLines(), ReEncrypt.jsonLines());
    }
  }

  private <T> void build(Pipeline p, ShardFormat<T> format, ReEncrypt.Records<T> transform) {
    ReEncrypt.Records<T> configured = ReKeyPipeline.configure(transform, plan);
    p.apply("ShardNumbers", GenerateSequence.from(0).to(pending.size()))
        .apply(
            "ReKeyShards",
            ParDo.of(
                new ShardFn<>(
                    pending,
                    format,
                    configured.reKeyer(format.coder(), p),
                    plan.output(),
                    plan.deadLetter(),
                    plan.runId())));
  }

  /** The counts of the shards committed by earlier attempts, added to this attempt's. */
  Map<String, Long> withEarlier(Map<String, Long> counters) {
    Map<String, Long> out = new TreeMap<>(counters);
    for (Manifest.Entry e : earlier.values()) {
      e.counts().forEach((k, v) -> out.merge(k, v, Long::sum));
    }
    return out;
  }

  /** What the report says of the attempts. */
  Map<String, String> describe() {
    long records =
        earlier.values().stream()
            .mapToLong(e -> e.counts().getOrDefault(ReKeyMetrics.RECORDS_READ, 0L))
            .sum();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("resume.attempt", Integer.toString(attempt));
    m.put("resume.shards", Integer.toString(run.shards().size()));
    m.put("resume.shardsFromEarlierAttempts", Integer.toString(earlier.size()));
    m.put("resume.recordsFromEarlierAttempts", Long.toString(records));
    m.put("resume.shardsThisAttempt", Integer.toString(pending.size()));
    return m;
  }
}
