package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.Hold;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * Resumable runs on a real Flink session cluster (one JobManager, two TaskManagers of two slots,
 * started with {@code scripts/flink-cluster}: the {@link SessionCluster} the cluster classes
 * share), driven with {@code scripts/rekey}: a run whose launcher is SIGKILLed while a worker holds
 * re-keyed records of an uncommitted shard ({@link Hold}), and a run whose TaskManager is SIGKILLed
 * there. {@code --resume} refuses while the first attempt's job still runs, and finishes each run
 * once it has ended: read = written + dead-lettered over all attempts, every input record in the
 * output exactly once. The tests run in order: the second leaves one TaskManager.
 */
@Execution(ExecutionMode.SAME_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SessionCluster.Extension.class)
@Order(2)
class ResumeClusterIT {
  static final int RECORDS = 40_000;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

  Path dir;
  Samples samples;
  Path input;
  FlinkCluster cluster;
  Path hold;

  @BeforeAll
  void startTheCluster(SessionCluster shared) throws IOException {
    shared.ensureRunning();
    cluster = shared.cluster;
    samples = shared.samples;
    hold = shared.hold;
    dir = Files.createTempDirectory("qkms-resume-cluster-it-");
    input = samples.bench(RECORDS);
  }

  @AfterAll
  void cleanUp() throws IOException {
    TestDirs.deleteTree(dir);
  }

  @Test
  @Order(1)
  void launcherKilled_resumeRefusedWhileItsJobRuns_thenCancelled_resumeFinishes_eachRecordOnce()
      throws Exception {
    Path out = dir.resolve("runs").resolve("launcher");
    Files.writeString(hold, "");

    ScriptRun first = startRekey(args(out, "--resumable"), "launcher-1");
    awaitHeld(first);
    String job = cluster.lastJob();
    awaitRecordedJobId(out, job);
    first.kill();
    // The launcher is gone, its job is not: it holds on the cluster until cancelled.
    assertThat(state(job), equalTo("RUNNING"));
    ScriptRun refused = startRekey(args(out, "--resume"), "launcher-refused").await(RUN_TIMEOUT);
    assertThat(refused.output(), refused.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(
        refused.output(),
        containsString(
            "is still RUNNING on the Flink cluster at " + cluster.rest() + " as job " + job));
    assertThat(
        refused.output(), containsString("`flink cancel -m " + cluster.rest() + " " + job + "`"));
    assertThat(Manifest.readAttempt(out.toString()).number(), is(1));
    assertThat(state(job), equalTo("RUNNING"));
    cancel(job);
    release();
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    int committedBefore = entries(out);
    int shards = shards(out);
    assertThat(committedBefore, lessThan(shards));

    ScriptRun second = startRekey(args(out, "--resume"), "launcher-2").await(RUN_TIMEOUT);

    assertThat(second.output(), second.exitCode(), is(ReKeyJob.EXIT_OK));
    JsonNode report = report(out);
    assertThat(report.at("/run/resume.attempt").asInt(), is(2));
    assertThat(report.at("/run/resume.shards").asInt(), is(shards));
    assertThat(report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(committedBefore));
    assertEachRecordOnce(out, report);
  }

  @Test
  @Order(2)
  void taskManagerKilledMidRun_thenResumed_eachRecordOnce() throws Exception {
    Path out = dir.resolve("runs").resolve("taskmanager");
    Files.writeString(hold, "");

    ScriptRun first = startRekey(args(out, "--resumable"), "taskmanager-1");
    ProcessHandle victim = ProcessHandle.of(awaitHeld(first)).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().get(1, TimeUnit.MINUTES);
    release();
    first.await(RUN_TIMEOUT);
    // Flink fails the lost TaskManager's tasks over to the other one; the shards it held are done
    // again from the start, under the same names. Whatever the first attempt's outcome, --resume
    // completes the run or says it is complete, and leaves it as it is.
    String firstOutcome = first.output();
    ScriptRun second = startRekey(args(out, "--resume"), "taskmanager-2").await(RUN_TIMEOUT);

    assertThat(firstOutcome + second.output(), second.exitCode(), is(ReKeyJob.EXIT_OK));
    if (first.exitCode() == ReKeyJob.EXIT_OK) {
      assertThat(second.output(), containsString("rekey: --resume:"));
    }
    assertThat(cluster.get("/overview").path("taskmanagers").asInt(), is(1));
    JsonNode report = report(out);
    assertThat(report.at("/run/resume.shards").asInt(), is(shards(out)));
    assertEachRecordOnce(out, report);
  }

  // ---- helpers --------------------------------------------------------------------------------

  List<String> args(Path out, String mode) {
    return List.of(
        "--runner=FlinkRunner",
        "--flinkMaster=" + cluster.rest(),
        "--input=" + input,
        "--output=" + out,
        "--keystore=" + samples.keystore(),
        "--fields=secret",
        "--destinationKeyId=" + Samples.NEW_KEY,
        "--parallelism=2",
        "--shardBytes=262144",
        "--progressSeconds=0",
        mode);
  }

  ScriptRun startRekey(List<String> args, String name) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    return ScriptRun.start(
        "rekey", args, dir, Map.of("QKMS_AOT", "off"), dir.resolve("logs").resolve(name + ".out"));
  }

  /** Waits (bounded) until a worker holds at the gate; returns its TaskManager's process ID. */
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
      Thread.sleep(20);
    }
    throw new AssertionError("no worker held within " + RUN_TIMEOUT + ":\n" + job.output());
  }

  /** Waits (bounded) until the launcher has recorded its job's ID in the manifest. */
  void awaitRecordedJobId(Path out, String job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String recorded = null;
    while (System.nanoTime() < deadline) {
      recorded = Manifest.readAttempt(out.toString()).jobId();
      if (job.equals(recorded)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the manifest's attempt names job " + recorded + ", not " + job);
  }

  void release() throws IOException {
    Files.deleteIfExists(hold);
    try (Stream<Path> s = Files.list(hold.getParent())) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("hold.held-")).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  String state(String job) throws IOException {
    return cluster.get("/jobs/" + job).path("state").asText();
  }

  /** Cancels the job through the REST API and waits (bounded) until it is cancelled. */
  void cancel(String job) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + cluster.rest() + "/jobs/" + job + "?mode=cancel"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.body(), r.statusCode(), is(202));
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (!state(job).equals("CANCELED")) {
      assertThat("job " + job + " not cancelled in time", System.nanoTime() < deadline, is(true));
      Thread.sleep(50);
    }
  }

  static JsonNode report(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
  }

  static int shards(Path out) throws IOException {
    return new ObjectMapper()
        .readTree(out.resolve(Manifest.DIR).resolve(Manifest.RUN_FILE).toFile())
        .at("/body/shards")
        .size();
  }

  static int entries(Path out) throws IOException {
    Path m = out.resolve(Manifest.DIR);
    if (!Files.isDirectory(m)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(m)) {
      return (int) s.filter(p -> p.getFileName().toString().startsWith("shard-")).count();
    }
  }

  /**
   * Over all attempts: read = written + dead-lettered, and every input ID is in the output once.
   */
  static void assertEachRecordOnce(Path out, JsonNode report) throws IOException {
    assertThat(report.toString(), report.path("status").asText(), equalTo("SUCCEEDED"));
    assertThat(report.at("/records/read").asLong(), is((long) RECORDS));
    assertThat(report.at("/records/written").asLong(), is((long) RECORDS));
    assertThat(report.at("/records/deadLettered").asLong(), is(0L));
    assertThat(report.at("/committed/written").asLong(), is((long) RECORDS));
    assertThat(report.at("/checks/countsAddUp").asBoolean(), is(true));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    assertThat(entries(out), is(shards(out)));
    assertThat(shards(out), greaterThan(1));
    Set<Long> ids = new HashSet<>();
    List<Long> twice = new ArrayList<>();
    for (GenericRecord r : Outputs.avro(out)) {
      if (!ids.add((Long) r.get("id"))) {
        twice.add((Long) r.get("id"));
      }
    }
    assertThat("records written twice", twice.size(), is(0));
    assertThat(ids.size(), is(RECORDS));
  }
}
