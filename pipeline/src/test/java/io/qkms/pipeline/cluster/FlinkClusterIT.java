package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.report.Verdict;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.Hold;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The re-key job on a real Flink 1.19 session cluster of separate JVMs (one JobManager, two
 * TaskManagers with two slots each, all on 127.0.0.1), started and stopped with {@code
 * scripts/flink-cluster} and driven with {@code scripts/rekey}, as a user would. The TaskManagers
 * get the root key from their own environment (QKMS_ROOT_KEY_FILE, a copy in the cluster's work
 * folder); the submitting side does not always have it. Runs after the job jar is built (the
 * integration-test phase). The cluster is the {@link SessionCluster} the other cluster classes
 * share; this class runs last of them (its last test stops the cluster), and its tests run in
 * order: the TaskManager-kill test leaves one TaskManager, and the last test stops the cluster.
 */
@Execution(ExecutionMode.SAME_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SessionCluster.Extension.class)
@Order(3)
class FlinkClusterIT {
  /**
   * Several batches for every worker: the mid-run tests strike while a worker holds at the {@link
   * Hold} gate after its first batch, so the run's length does not decide what is mid-run.
   */
  static final int RECORDS = 100_000;

  static final int TASK_MANAGERS = SessionCluster.TASK_MANAGERS;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
  static final String CONTEXT = "{\"tenant\":\"${tenant_id}\"}";

  Path dir;
  Samples samples;
  Path bench;
  byte[] rootKey;
  FlinkCluster cluster;
  Path hold; // while this file exists, the TaskManagers' workers pause between batches (Hold)

  @BeforeAll
  void startTheCluster(SessionCluster shared) throws IOException {
    shared.ensureRunning();
    cluster = shared.cluster;
    samples = shared.samples;
    rootKey = shared.rootKey;
    hold = shared.hold;
    dir = Files.createTempDirectory("qkms-cluster-it-");
    bench = samples.bench(RECORDS);
  }

  @AfterAll
  void cleanUp() throws IOException {
    TestDirs.deleteTree(dir);
  }

  @Test
  @Order(1)
  void start_whileTheClusterRuns_isRefused() throws IOException {
    ScriptRun again = cluster.start(TASK_MANAGERS, 2);

    assertThat(again.exitCode(), is(1));
    assertThat(again.output(), containsString("a cluster is already running in " + cluster.work));
    assertThat(cluster.get("/overview").path("taskmanagers").asInt(), is(TASK_MANAGERS));
  }

  @Test
  @Order(2)
  void sharedKeyStoreByRelativePath_everyRecordIsReEncryptedOnce_underTheDestinationKey()
      throws Exception {
    Path run = dir.resolve("runs").resolve("shared");

    // Relative paths, as a user types them: the launcher makes them absolute, since the
    // TaskManagers run in folders of their own.
    ScriptRun job =
        rekey(
            List.of(
                "--input=" + dir.relativize(bench),
                "--output=" + dir.relativize(run),
                "--keystore=" + dir.relativize(samples.keystore()),
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY),
            dir,
            "shared");

    assertThat(job.output(), job.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(run.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    JsonNode report = report(run);
    assertThat(report.path("run").path("runner").asText(), equalTo("FlinkRunner"));
    assertCounts(report, RECORDS, RECORDS, 0);
    assertThat(
        cluster.get("/jobs/" + cluster.lastJob()).path("state").asText(), equalTo("FINISHED"));
    assertEveryRecordReEncryptedOnce(run);
  }

  @Test
  @Order(3)
  void shippedKeyStore_workersTakeTheRootKeyFromTheirOwnEnvironment_andItTravelsNowhere()
      throws Exception {
    // The submitting side has the store file alone, under a relative path that means nothing in
    // the TaskManagers' working folder: the job can only work if the store travels with it.
    Path submitter = dir.resolve("submitter");
    Files.createDirectories(submitter.resolve("ks"));
    Files.copy(
        samples.keystore().resolve("store.qks"), submitter.resolve("ks").resolve("store.qks"));
    Path run = dir.resolve("runs").resolve("shipped");

    ScriptRun job =
        rekey(
            List.of(
                "--shipKeystore",
                "--keystore=ks",
                "--input=" + samples.data("customers.avro"),
                "--output=" + run,
                "--fields=card.number,items[].secret,note",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--sourceEncryptionContext=" + CONTEXT,
                "--destinationEncryptionContext=" + CONTEXT),
            submitter,
            "shipped");

    assertThat(job.output(), job.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(
        job.output(),
        containsString(
            "note: the root key of " + submitter.resolve("ks") + " is not available here"));
    assertCounts(report(run), Samples.CUSTOMERS + 4, Samples.CUSTOMERS, 4);
    Samples.Verified v = samples.verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is((long) Samples.CUSTOMERS));

    String config = cluster.get("/jobs/" + cluster.lastJob() + "/config").toString();
    assertThat(config, containsString("\"shipKeystore\":\"true\""));
    List<String> leaks = new ArrayList<>();
    for (byte[] secret : secretForms()) {
      if (contains(job.output().getBytes(StandardCharsets.UTF_8), secret)
          || contains(config.getBytes(StandardCharsets.UTF_8), secret)) {
        leaks.add("submitter output or job config");
      }
    }
    // Everything the cluster keeps: staged jars (blob store), logs, generated config, temp files.
    try (Stream<Path> files = Files.walk(cluster.work)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (f.startsWith(cluster.work.resolve("secrets"))) {
          continue;
        }
        byte[] content = Files.readAllBytes(f);
        for (byte[] secret : secretForms()) {
          if (contains(content, secret)) {
            leaks.add(cluster.work.relativize(f).toString());
          }
        }
        if (f.startsWith(cluster.work.resolve("log"))
            && contains(content, "PLAINTEXT-".getBytes(StandardCharsets.UTF_8))) {
          leaks.add("plaintext in " + f.getFileName());
        }
      }
    }
    assertThat(leaks, empty());
    String runId = report(run).path("run").path("runId").asText();
    try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(
          tmp.filter(p -> p.getFileName().toString().startsWith("qkms-keystore-" + runId)).toList(),
          empty());
    }
  }

  @Test
  @Order(4)
  void keyStoreUnreadableMidRun_failsLoudly_andPublishesNoSuccessMarker() throws Exception {
    Path ks = dir.resolve("unreadable-ks");
    Files.createDirectories(ks);
    Files.copy(samples.keystore().resolve("store.qks"), ks.resolve("store.qks"));
    Path run = dir.resolve("runs").resolve("unreadable");
    Files.writeString(hold, "");

    ScriptRun job =
        startRekey(
            List.of(
                "--input=" + bench,
                "--output=" + run,
                "--keystore=" + ks,
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--cacheTtl=1s",
                "--progressSeconds=1"),
            dir,
            "unreadable");
    // Records are in flight and the workers hold; the store goes, their cached keys expire (1 s).
    awaitHeld(job);
    Files.move(ks.resolve("store.qks"), dir.resolve("store.qks.away"));
    Thread.sleep(1_500);
    release();
    job.await(RUN_TIMEOUT);

    assertThat(job.output(), job.exitCode(), is(Verdict.PIPELINE_FAILED.exitCode()));
    assertThat(Files.exists(run.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    JsonNode report = report(run);
    assertThat(report.path("status").asText(), equalTo("FAILED"));
    assertThat(
        report.path("failure").asText(),
        anyOf(containsString("KMSInternalException"), containsString("No QKMS key store")));
    assertThat(Outputs.parts(run), empty());
    assertThat(cluster.get("/jobs/" + cluster.lastJob()).path("state").asText(), equalTo("FAILED"));
  }

  @Test
  @Order(5)
  void taskManagerKilledMidRun_jobSucceeds_withCompleteDuplicateFreeOutput() throws Exception {
    Path run = dir.resolve("runs").resolve("killed");
    Files.writeString(hold, "");

    ScriptRun job =
        startRekey(
            List.of(
                "--input=" + bench,
                "--output=" + run,
                "--keystore=" + samples.keystore(),
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--progressSeconds=1"),
            dir,
            "killed");
    // A TaskManager holds records in flight: kill it there (SIGKILL), then let the rest go on.
    long held = awaitHeld(job);
    ProcessHandle victim = ProcessHandle.of(held).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().get(30, TimeUnit.SECONDS);
    release();
    job.await(RUN_TIMEOUT);

    assertThat(job.output(), job.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(run.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    String jobId = cluster.lastJob();
    assertThat(
        "the job failed over",
        cluster
            .get("/jobs/" + jobId + "/exceptions")
            .path("exceptionHistory")
            .path("entries")
            .size(),
        greaterThan(0));
    assertThat(cluster.get("/overview").path("taskmanagers").asInt(), is(TASK_MANAGERS - 1));
    // The metrics (Flink accumulators) hold the successful attempts only: exactly the input.
    assertCounts(report(run), RECORDS, RECORDS, 0);
    assertEveryRecordReEncryptedOnce(run);
  }

  @Test
  @Order(6)
  void stop_endsEveryProcessItStarted() throws IOException {
    assertThat(cluster.processes().size(), greaterThan(0));

    ScriptRun stop = cluster.command("stop");

    assertThat(stop.output(), stop.exitCode(), is(0));
    assertThat(cluster.processes(), empty());
    try (Stream<Path> pids = Files.list(cluster.work.resolve("pids"))) {
      assertThat(pids.toList(), empty());
    }
    assertThat(cluster.command("status").exitCode(), is(3));
  }

  // ---- helpers --------------------------------------------------------------------------------

  ScriptRun startRekey(List<String> args, Path cwd, String name) throws IOException {
    List<String> all =
        new ArrayList<>(List.of("--runner=FlinkRunner", "--flinkMaster=" + cluster.rest()));
    all.addAll(args);
    Files.createDirectories(dir.resolve("logs"));
    // No start-up cache (JobAotCacheIT covers it), so no training run on a fresh jar here.
    return ScriptRun.start(
        "rekey", all, cwd, Map.of("QKMS_AOT", "off"), dir.resolve("logs").resolve(name + ".out"));
  }

  ScriptRun rekey(List<String> args, Path cwd, String name) throws IOException {
    return startRekey(args, cwd, name).await(RUN_TIMEOUT);
  }

  static JsonNode report(Path run) throws IOException {
    return new ObjectMapper().readTree(run.resolve(ReKeyJob.REPORT_FILE).toFile());
  }

  /**
   * Waits (bounded) until a TaskManager's worker holds at the gate (Hold): it has re-encrypted a
   * batch of records and waits there. Returns its process ID.
   */
  long awaitHeld(ScriptRun job) throws Exception {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    String prefix = hold.getFileName() + ".held-";
    while (System.nanoTime() < deadline) {
      try (Stream<Path> s = Files.list(hold.getParent())) {
        Optional<Path> held =
            s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst();
        if (held.isPresent()) {
          return Long.parseLong(held.get().getFileName().toString().substring(prefix.length()));
        }
      }
      assertThat(job.output(), job.alive(), is(true));
      Thread.sleep(50);
    }
    throw new AssertionError("no worker held within " + RUN_TIMEOUT + ":\n" + job.output());
  }

  /** Opens the gate: the workers go on. */
  void release() throws IOException {
    Files.delete(hold);
    try (Stream<Path> s = Files.list(hold.getParent())) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("hold.held-")).toList()) {
        Files.delete(p);
      }
    }
  }

  /** The metrics and the committed files say the same, and add up. */
  static void assertCounts(JsonNode report, long read, long written, long deadLettered) {
    assertThat(report.toString(), report.path("status").asText(), equalTo("SUCCEEDED"));
    JsonNode records = report.path("records");
    assertThat(records.path("read").asLong(), is(read));
    assertThat(records.path("written").asLong(), is(written));
    assertThat(records.path("deadLettered").asLong(), is(deadLettered));
    JsonNode committed = report.path("committed");
    assertThat(committed.path("inputRecords").asLong(), is(read));
    assertThat(committed.path("written").asLong(), is(written));
    assertThat(committed.path("deadLettered").asLong(), is(deadLettered));
    assertThat(report.path("checks").path("committedCountsMatch").asBoolean(), is(true));
  }

  void assertEveryRecordReEncryptedOnce(Path run) {
    assertEveryRecordReEncryptedOnce(samples, bench, run, RECORDS);
  }

  /**
   * Every ID of {@code input} (bench records) is in {@code run}'s output exactly once, and its
   * secret decrypts under the destination key to what the input's secret decrypts to under the
   * source key (two decrypts a record, on every core).
   */
  static void assertEveryRecordReEncryptedOnce(Samples samples, Path input, Path run, int records) {
    Map<Long, byte[]> secrets = new ConcurrentHashMap<>();
    for (GenericRecord r : Outputs.avroFile(input)) {
      secrets.put((Long) r.get("id"), Outputs.bytes(r.get("secret")));
    }
    List<GenericRecord> output = Outputs.avro(run);
    assertThat(output.size(), is(records));
    Map<Long, Boolean> seen = new ConcurrentHashMap<>();
    List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      output.parallelStream()
          .forEach(
              r -> {
                long id = (Long) r.get("id");
                if (seen.put(id, true) != null) {
                  problems.add("duplicate " + id);
                  return;
                }
                byte[] before = secrets.get(id);
                if (before == null) {
                  problems.add("unknown " + id);
                  return;
                }
                byte[] expected = decrypt(admin, before, Samples.OLD_KEY);
                byte[] actual = decrypt(admin, Outputs.bytes(r.get("secret")), Samples.NEW_KEY);
                if (!Arrays.equals(expected, actual)) {
                  problems.add("wrong secret " + id);
                }
              });
    }
    assertThat(problems.size() > 10 ? problems.subList(0, 10) : problems, empty());
    assertThat(seen.size(), is(records));
  }

  static byte[] decrypt(Outputs.Admin admin, byte[] blob, String keyId) {
    return admin
        .engine
        .decrypt(
            admin.caller(Samples.US_EAST_1),
            DecryptRequest.builder().ciphertextBlob(blob).keyId(keyId).build())
        .plaintext();
  }

  /** The root key as raw bytes, hex and base64: none may appear anywhere but its own file. */
  List<byte[]> secretForms() {
    return List.of(
        rootKey,
        HexFormat.of().formatHex(rootKey).getBytes(StandardCharsets.US_ASCII),
        HexFormat.of().withUpperCase().formatHex(rootKey).getBytes(StandardCharsets.US_ASCII),
        Base64.getEncoder().encode(rootKey));
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (haystack[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
