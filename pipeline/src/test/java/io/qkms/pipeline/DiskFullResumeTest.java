package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.manifest.ShardFn;
import io.qkms.pipeline.testing.FullDiskFileSystem;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumable run whose disk fills up, on the Direct runner: the output is on a file system whose
 * writes fail with "No space left on device" from a chosen point on ({@link FullDiskFileSystem}):
 * while a shard's records, its dead letters, its manifest entry or the report are written. Each
 * time the run fails with exit 1 and one line naming the error, writes no {@code _SUCCESS}, leaves
 * no part-written report or temporary file, and leaves the shards it committed intact; once there
 * is space again, {@code --resume} finishes the run with every input record once, in the output or
 * the dead letters, and read = written + dead-lettered over both attempts.
 */
class DiskFullResumeTest {
  @TempDir static Path dir;
  static Samples samples;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  @AfterEach
  void spaceBack() {
    FullDiskFileSystem.spaceBack();
  }

  @Test
  void diskFullWhileAShardsRecordsAreWritten_failsTheRun_andResumeFinishesIt() throws Exception {
    // The third shard's record file, after its first kilobyte.
    Failed f = fillDiskWhileWriting("records", "records", 3, 1024);
    assertThat(f.committed().size(), lessThan(f.shards()));
    // Still full: --resume stops before the run.
    JobRun still = run(f.out(), "--resume");
    assertThat(still.err(), still.outcome().exitCode(), is(2));
    assertThat(
        still.err(),
        containsString(
            "rekey: --resume: cannot use the manifest in "
                + FullDiskFileSystem.url(f.out())
                + ": No space left on device"));
    resumeWithSpace(f);
  }

  @Test
  void diskFullWhileAShardsDeadLettersAreWritten_failsTheRun_andResumeFinishesIt()
      throws Exception {
    // Only the last shard has dead letters (the samples' four bad records are at the end).
    Failed f = fillDiskWhileWriting("dead-letters", "dead-letters", 1, 0);
    assertThat(f.committed().containsKey(f.shards() - 1), is(false));
    resumeWithSpace(f);
  }

  @Test
  void diskFullWhileAShardsManifestEntryIsWritten_failsTheRun_andResumeFinishesIt()
      throws Exception {
    // The second entry, part-written under its temporary name: its shard's files are in place
    // under their own names, but the shard is not committed.
    Failed f = fillDiskWhileWriting("entry", "shard-\\d+\\.json\\..+", 2, 100);
    assertThat(f.committed().size(), lessThan(f.shards()));
    resumeWithSpace(f);
  }

  @Test
  void diskFullWhileTheReportIsWritten_failsTheRun_andResumeWritesTheReport() throws Exception {
    Failed f = fillDiskWhileWriting("report", "report\\.json", 1, 100);
    assertThat(f.committed().size(), is(f.shards()));
    assertThat(
        f.run().err(),
        containsString("rekey: cannot write the report in " + FullDiskFileSystem.url(f.out())));
    JsonNode report = resumeWithSpace(f);
    assertThat(report.at("/run/resume.shardsThisAttempt").asInt(), is(0));
  }

  /** A first attempt that failed on a full disk, with the shards it committed. */
  record Failed(Path out, JobRun run, int shards, Map<Integer, Map<String, Long>> committed) {}

  private static Failed fillDiskWhileWriting(String name, String file, int nth, long afterBytes)
      throws Exception {
    Path out = dir.resolve(name);
    FullDiskFileSystem.fillWhileWriting(file, nth, afterBytes);

    JobRun r = run(out, "--resumable");
    awaitNoShardInProgress();

    assertThat("the disk filled up", FullDiskFileSystem.full(), is(true));
    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(1));
    assertThat(r.out(), containsString("QKMS re-key FAILED"));
    assertThat(r.out() + r.err(), containsString("No space left on device"));
    assertThat(r.out() + r.err(), not(containsString("\tat ")));
    assertThat(
        r.out(),
        containsString(
            "next: fix the cause above, then finish the run where it stopped: the same options"
                + " with --resume instead of --resumable"));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    assertThat(
        "no part-written report", Files.exists(out.resolve(ReKeyJob.REPORT_FILE)), is(false));
    // Nothing part-written holds space: the failed shards deleted their temporary files.
    try (Stream<Path> tmp = Files.walk(out.resolve(Manifest.DIR).resolve("tmp"))) {
      assertThat(tmp.filter(Files::isRegularFile).toList(), is(empty()));
    }
    // The committed shards are intact: each entry whole, its files there with their sizes.
    Manifest.Run run = Manifest.readRun(out.toString());
    Map<Integer, Map<String, Long>> committed = new TreeMap<>();
    Manifest.readEntries(out.toString(), run).forEach((i, e) -> committed.put(i, e.files()));
    return new Failed(out, r, run.shards().size(), committed);
  }

  /** Space is back: --resume finishes the run, doing only what was not committed. */
  private static JsonNode resumeWithSpace(Failed f) throws Exception {
    FullDiskFileSystem.spaceBack();
    Map<String, String> before = files(f.committed());

    JobRun r = run(f.out(), "--resume");

    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    assertThat(Files.exists(f.out().resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    assertThat("committed shards are not done again", files(f.committed()), equalTo(before));
    JsonNode report = JSON.readTree(f.out().resolve(ReKeyJob.REPORT_FILE).toFile());
    assertThat(report.at("/run/resume.attempt").asInt(), is(2));
    assertThat(report.at("/run/resume.shards").asInt(), is(f.shards()));
    assertThat(
        report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(f.committed().size()));
    assertThat(
        report.at("/run/resume.shardsThisAttempt").asInt(), is(f.shards() - f.committed().size()));
    long read = report.at("/records/read").asLong();
    assertThat(read, is((long) Samples.CUSTOMERS + 4));
    assertThat(
        read,
        is(report.at("/records/written").asLong() + report.at("/records/deadLettered").asLong()));
    assertThat(report.at("/records/deadLettered").asLong(), is(4L));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    // Every input record exactly once, in the output or the dead letters.
    List<String> ids = new ArrayList<>();
    for (String line : Outputs.lines(f.out())) {
      ids.add(JSON.readTree(line).get("id").asText());
    }
    for (String line : Outputs.lines(f.out().resolve("dead-letter"))) {
      String record = DeadLetterFiles.parseJsonLine(line).get("record").asText();
      ids.add(JSON.readTree(record).get("id").asText());
    }
    List<String> input = new ArrayList<>();
    for (String line : Files.readAllLines(samples.data("customers.jsonl"))) {
      input.add(JSON.readTree(line).get("id").asText());
    }
    assertThat(ids.stream().sorted().toList(), equalTo(input.stream().sorted().toList()));
    return report;
  }

  /** The committed shards' files (as the local file system names them) with size and time. */
  private static Map<String, String> files(Map<Integer, Map<String, Long>> committed)
      throws IOException {
    Map<String, String> m = new TreeMap<>();
    for (Map<String, Long> files : committed.values()) {
      for (String url : files.keySet()) {
        Path p = Path.of(url.substring((FullDiskFileSystem.SCHEME + "://").length()));
        m.put(p.toString(), Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }

  /**
   * Waits until no worker thread of the failed attempt still re-keys a shard: the runner returns on
   * the first failure, and in a launcher that exits then the others die with it; in this JVM one
   * could otherwise commit its shard while the resumed run does the same. The Direct runner's
   * workers go on taking queued bundles after the failure, so one look between two bundles is not
   * enough: no bundle and no shard in progress for a whole second.
   */
  private static void awaitNoShardInProgress() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    int quietLooks = 0;
    while (quietLooks < 20) {
      assertThat("a shard still in progress after 30 s", System.nanoTime(), lessThan(deadline));
      quietLooks = anyThreadIn(ShardFn.class.getName(), DIRECT_BUNDLE) ? 0 : quietLooks + 1;
      Thread.sleep(50);
    }
  }

  /** The Direct runner's class that runs one bundle through a transform on a worker thread. */
  private static final String DIRECT_BUNDLE =
      "org.apache.beam.runners.direct.DirectTransformExecutor";

  private static boolean anyThreadIn(String... classNames) {
    List<String> names = List.of(classNames);
    return Thread.getAllStackTraces().values().stream()
        .anyMatch(trace -> Arrays.stream(trace).anyMatch(e -> names.contains(e.getClassName())));
  }

  private static JobRun run(Path out, String flag) {
    return ReKeyJobTest.run(
        samples.reKeyArgs(
            samples.data("customers.jsonl"),
            FullDiskFileSystem.url(out),
            "--shardBytes=8192",
            flag));
  }
}
