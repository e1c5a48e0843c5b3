package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resumable runs on the Direct runner: a run committed shard by shard, a run cut short (its last
 * shards' entries gone, a shard's files left behind under their own names) resumed to the same
 * result, and the refusals: an empty directory, other settings, an edited or truncated manifest; a
 * finished run is left as it is.
 */
class ResumeTest {
  @TempDir static Path dir;
  static Samples samples;
  static final int SHARD_BYTES = 8 * 1024;

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  static List<String> args(Path out, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                samples.reKeyArgs(
                    samples.data("customers.jsonl"), out, "--shardBytes=" + SHARD_BYTES)));
    a.addAll(List.of(more));
    return a;
  }

  static JobRun run(List<String> args) {
    return ReKeyJobTest.run(args.toArray(new String[0]));
  }

  static JsonNode report(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
  }

  static List<Path> entries(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.resolve("_manifest"))) {
      return s.filter(p -> p.getFileName().toString().startsWith("shard-")).sorted().toList();
    }
  }

  /** Every file under {@code d} with its size and modification time. */
  static Map<String, String> snapshot(Path d) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        FileTime t = Files.getLastModifiedTime(p);
        m.put(d.relativize(p).toString(), Files.size(p) + " " + t.toMillis());
      }
    }
    return m;
  }

  static Path finishedRun(String name) throws IOException {
    Path out = dir.resolve(name);
    JobRun r = run(args(out, "--resumable"));
    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    return out;
  }

  @Test
  void aResumableRun_commitsEachShard_withItsFilesAndCounts() throws IOException {
    Path out = finishedRun("whole");
    JsonNode report = report(out);
    int shards = report.at("/run/resume.shards").asInt();
    assertThat(shards, greaterThan(2));
    assertThat(entries(out).size(), is(shards));
    assertThat(report.at("/records/read").asLong(), is((long) Samples.CUSTOMERS + 4));
    assertThat(report.at("/records/deadLettered").asLong(), is(4L));
    assertThat(report.at("/checks/countsAddUp").asBoolean(), is(true));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(0));
    // No temporary files left.
    assertThat(
        Files.exists(out.resolve("_manifest/tmp"))
            && Files.list(out.resolve("_manifest/tmp")).findAny().isPresent(),
        is(false));
  }

  @Test
  void aRunCutShort_resumes_doingOnlyTheUncommittedShards_andLosesOrDuplicatesNothing()
      throws IOException {
    Path out = finishedRun("cut");
    JsonNode whole = report(out);
    int shards = whole.at("/run/resume.shards").asInt();
    // As a crash leaves it: no report, no _SUCCESS, the last shards not committed; one of them
    // got as far as renaming its record file into place.
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE));
    Files.delete(out.resolve(ReKeyJob.REPORT_FILE));
    List<Path> entries = entries(out);
    int dropped = shards / 2;
    for (Path e : entries.subList(shards - dropped, shards)) {
      Files.delete(e);
    }
    List<Path> parts = Outputs.parts(out);
    for (Path p : parts.subList(parts.size() - dropped + 1, parts.size())) {
      Files.delete(p); // the other uncommitted shards had not placed theirs
    }
    Files.createDirectories(out.resolve("_manifest/tmp/x"));
    Files.writeString(out.resolve("_manifest/tmp/x/records"), "half a file");

    JobRun r = run(args(out, "--resume"));
    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    JsonNode report = report(out);
    assertThat(report.at("/run/resume.attempt").asInt(), is(2));
    assertThat(report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(shards - dropped));
    assertThat(report.at("/run/resume.shardsThisAttempt").asInt(), is(dropped));
    assertThat(report.at("/run/resume.recordsFromEarlierAttempts").asLong(), greaterThan(0L));
    assertThat(report.at("/records/read").asLong(), is((long) Samples.CUSTOMERS + 4));
    assertThat(
        report.at("/records/read").asLong(),
        is(report.at("/records/written").asLong() + report.at("/records/deadLettered").asLong()));
    assertThat(report.at("/records/reEncrypted"), equalTo(whole.at("/records/reEncrypted")));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(report.at("/committed/inputRecords").asLong(), is((long) Samples.CUSTOMERS + 4));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    // Each record exactly once.
    List<String> ids = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Outputs.lines(out)) {
      ids.add(json.readTree(line).get("id").asText());
    }
    assertThat(ids.size(), is(Samples.CUSTOMERS));
    assertThat(ids.stream().distinct().count(), is((long) ids.size()));
    assertThat(Files.exists(out.resolve("_manifest/tmp/x/records")), is(false));
  }

  @Test
  void resumeOnAFinishedRun_saysSo_exits0_andChangesNothing() throws IOException {
    Path out = finishedRun("finished");
    Map<String, String> before = snapshot(out);
    JobRun r = run(args(out, "--resume"));
    assertThat(r.outcome().exitCode(), is(0));
    assertThat(r.out(), containsString("holds a finished run (_SUCCESS"));
    assertThat(snapshot(out), equalTo(before));
  }

  @Test
  void resumeOnAnEmptyDirectory_isAUsageError() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    String err = ReKeyJobTest.usageError(args(empty, "--resume").toArray(new String[0]));
    assertThat(err, containsString("holds no run to resume (no _manifest/run.json)"));
    try (Stream<Path> s = Files.list(empty)) {
      assertThat(s.count(), is(0L));
    }
  }

  @Test
  void resumeWithOtherSettings_isAUsageError_namingTheSetting() throws IOException {
    Path out = finishedRun("other");
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE));
    Map<String, String> before = snapshot(out);
    List<String> a = args(out, "--resume");
    a.set(
        a.indexOf("--destinationKeyId=" + Samples.NEW_KEY),
        "--destinationKeyId=" + Samples.ROTATING_KEY);
    String err = ReKeyJobTest.usageError(a.toArray(new String[0]));
    assertThat(
        err,
        containsString(
            "was started with other settings: destinationKeyId was '"
                + Samples.NEW_KEY
                + "', is now '"
                + Samples.ROTATING_KEY
                + "'"));
    assertThat(snapshot(out), equalTo(before));
  }

  @Test
  void resumeOnAnEditedOrTruncatedManifest_isAUsageError_andOverwritesNothing() throws IOException {
    Path out = finishedRun("tampered");
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE));
    Path entry = entries(out).get(0);
    String text = Files.readString(entry);
    Files.writeString(entry, text.replace("\"recordsRead\":", "\"recordsRead\":1"));
    Map<String, String> before = snapshot(out);
    String err = ReKeyJobTest.usageError(args(out, "--resume").toArray(new String[0]));
    assertThat(err, containsString("the manifest cannot be trusted, nothing was changed"));
    assertThat(err, containsString(entry.getFileName() + " was changed after it was written"));
    assertThat(snapshot(out), equalTo(before));

    Files.writeString(entry, text); // restored
    Path run = out.resolve("_manifest/run.json");
    byte[] whole = Files.readAllBytes(run);
    Files.write(run, java.util.Arrays.copyOf(whole, whole.length / 2));
    before = snapshot(out);
    err = ReKeyJobTest.usageError(args(out, "--resume").toArray(new String[0]));
    assertThat(err, containsString("run.json is truncated or not JSON"));
    assertThat(snapshot(out), equalTo(before));
  }

  @Test
  void eachAttemptIsRecorded_andARunInThisJvmIsNotCheckedForARunningJob() throws Exception {
    Path out = finishedRun("attempts");
    Manifest.Attempt first = Manifest.readAttempt(out.toString());
    assertThat(first.number(), is(1));
    assertThat(first.cluster(), nullValue());
    assertThat(first.runId(), equalTo(report(out).at("/run/runId").asText()));
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE));
    Files.delete(out.resolve(ReKeyJob.REPORT_FILE));
    Files.delete(entries(out).get(0));

    JobRun r = run(args(out, "--resume"));

    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    Manifest.Attempt second = Manifest.readAttempt(out.toString());
    assertThat(second.number(), is(2));
    assertThat(second.runId(), equalTo(report(out).at("/run/runId").asText()));
  }

  @Test
  void resumeAfterAnAttemptOnAClusterThatCannotBeAsked_isAUsageError_andChangesNothing()
      throws Exception {
    Path out = finishedRun("unreachable");
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE));
    Files.delete(entries(out).get(0));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Manifest.Attempt a = Manifest.readAttempt(out.toString());
    Manifest.writeAttempt(
        out.toString(),
        new Manifest.Attempt(
            a.number(), a.runId(), a.jobName(), "0123abcd", "127.0.0.1:" + port, a.started()));
    Map<String, String> before = snapshot(out);

    String err = ReKeyJobTest.usageError(args(out, "--resume").toArray(new String[0]));

    assertThat(
        err,
        containsString("--resume: cannot tell whether attempt 1 of this run (run ID " + a.runId()));
    assertThat(
        err,
        containsString(
            "the Flink cluster at 127.0.0.1:"
                + port
                + " that ran its job 0123abcd cannot be asked (nothing listens there: connection"
                + " refused)"));
    assertThat(snapshot(out), equalTo(before));
  }
}
