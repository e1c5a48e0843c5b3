package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.worker.Hold;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher JVM of a resumable run on Flink embedded (the JVM that holds the cluster) killed
 * with SIGKILL, for real, at two points, each while its worker holds re-keyed records of a shard
 * not yet committed ({@link Hold}: the worker stops before the shard's entry is written): first
 * before any shard is committed, then, in the resumed run, after half of them. A third attempt
 * finishes the run: read = written + dead-lettered over all attempts, every input record in the
 * output exactly once.
 */
class LauncherKilledResumeTest {
  // About 35 shards of SHARD_BYTES: the Hold gate, not the input's size, makes each kill land
  // where it should, so a small input does (the shard count is what the halves are taken of).
  static final int RECORDS = 10_000;

  static final int SHARD_BYTES = 65_536;

  /**
   * Bounds every wait of the test (a job that hangs fails it rather than stalling the build);
   * generous, as a busy shared machine can take minutes to start a JVM and its Flink cluster.
   */
  static final long WAIT_MINUTES = 8;

  @TempDir Path dir;

  @Test
  void killedBeforeTheFirstCommitAndAgainHalfWay_thenResumed_losesAndDuplicatesNothing()
      throws Exception {
    Samples samples = Samples.at(dir.resolve("samples"));
    samples.init();
    Path input = samples.bench(RECORDS);
    Path out = dir.resolve("run");
    List<String> args =
        List.of(
            "--input=" + input,
            "--output=" + out,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--runner=FlinkRunner",
            "--parallelism=1",
            "--shardBytes=" + SHARD_BYTES,
            "--progressSeconds=0");
    Path gate = dir.resolve("hold");

    // 1: held from the start, so killed with the first shard's records re-keyed, none committed.
    List<String> first = new ArrayList<>(args);
    first.add("--resumable");
    Files.writeString(gate, "hold");
    Job one = Job.start(first, out, gate, dir.resolve("attempt-1.log"));
    one.killWhenHeld(() -> 0);
    assertThat(entries(out), is(0));
    int shards = shards(out);
    assertThat(shards, greaterThan(4));

    // 2: resumed, held once half the shards are committed, killed there.
    List<String> again = new ArrayList<>(args);
    again.add("--resume");
    Job two = Job.start(again, out, gate, dir.resolve("attempt-2.log"));
    two.killWhenHeld(() -> entries(out) >= shards / 2 ? 0 : -1);
    int committedBefore = entries(out);
    assertThat(committedBefore, greaterThanOrEqualTo(shards / 2));
    assertThat(committedBefore, lessThan(shards));

    // 3: resumed to the end (in this JVM, where no gate is set).
    ReKeyJob.Outcome o = ReKeyJob.run(again.toArray(new String[0]), System.out, System.err);
    assertThat(o.exitCode(), is(0));
    JsonNode report = new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
    assertThat(report.at("/run/resume.attempt").asInt(), is(3));
    assertThat(report.at("/run/resume.shards").asInt(), is(shards));
    assertThat(report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(committedBefore));
    assertThat(report.at("/run/resume.shardsThisAttempt").asInt(), is(shards - committedBefore));
    assertThat(report.at("/records/read").asLong(), is((long) RECORDS));
    assertThat(report.at("/records/written").asLong(), is((long) RECORDS));
    assertThat(report.at("/records/deadLettered").asLong(), is(0L));
    assertThat(report.at("/records/reEncrypted").asLong(), is((long) RECORDS));
    assertThat(report.at("/committed/written").asLong(), is((long) RECORDS));
    assertThat(report.at("/checks/countsAddUp").asBoolean(), is(true));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    assertThat(entries(out), is(shards));
    Set<Long> ids = new HashSet<>();
    for (GenericRecord r : Outputs.avro(out)) {
      assertThat("record " + r.get("id") + " twice", ids.add((Long) r.get("id")), is(true));
    }
    assertThat(ids.size(), is(RECORDS));
  }

  /** The job in a JVM of its own, with {@link Hold}'s gate at {@code gate}. */
  record Job(Process process, Path out, Path gate, Path log) {
    static Job start(List<String> args, Path out, Path gate, Path log) throws IOException {
      return start(args, out, gate, log, java.util.Map.of());
    }

    /** As above, with {@code env} added to the job's environment (e.g. AWS SDK settings). */
    static Job start(
        List<String> args, Path out, Path gate, Path log, java.util.Map<String, String> env)
        throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("--add-opens") || a.startsWith("-Xmx")) {
          command.add(a);
        }
      }
      command.addAll(
          List.of("-cp", System.getProperty("java.class.path"), ReKeyJob.class.getName()));
      command.addAll(args);
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      pb.environment().put(Hold.VARIABLE, gate.toString());
      return new Job(pb.start(), out, gate, log);
    }

    /**
     * Waits until the gate is up ({@code ready} returns 0; the gate is raised then) and the job's
     * worker holds records at it, then SIGKILLs the job and takes the gate down. Fails if the job
     * ends first or nothing happens in {@value #WAIT_MINUTES} minutes.
     */
    void killWhenHeld(IntSupplier ready) throws Exception {
      Path held = Path.of(gate + ".held-" + process.pid());
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
      try {
        while (!Files.exists(held)) {
          if (!Files.exists(gate) && ready.getAsInt() == 0) {
            Files.writeString(gate, "hold");
          }
          if (!process.isAlive()) {
            throw new AssertionError(
                "the job ended (exit "
                    + process.exitValue()
                    + ") before it was killed:\n"
                    + Files.readString(log));
          }
          if (System.nanoTime() > deadline) {
            throw new AssertionError(
                "the job held no records in "
                    + WAIT_MINUTES
                    + " minutes ("
                    + entries(out)
                    + " shards committed, gate "
                    + (Files.exists(gate) ? "up" : "down")
                    + "):\n"
                    + Files.readString(log));
          }
          Thread.sleep(10);
        }
      } finally {
        process.destroyForcibly(); // SIGKILL
        assertThat(process.waitFor(WAIT_MINUTES, TimeUnit.MINUTES), is(true));
        Files.deleteIfExists(gate);
        Files.deleteIfExists(held);
      }
      assertThat(process.exitValue(), is(137));
      assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
      assertThat(Files.exists(out.resolve(ReKeyJob.REPORT_FILE)), is(false));
    }
  }

  /** The shards of the run, as its manifest lists them. */
  static int shards(Path out) throws IOException {
    return new ObjectMapper()
        .readTree(out.resolve(Manifest.DIR).resolve(Manifest.RUN_FILE).toFile())
        .at("/body/shards")
        .size();
  }

  /** Committed shards: their manifest entries. */
  static int entries(Path out) {
    Path m = out.resolve(Manifest.DIR);
    if (!Files.isDirectory(m)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(m)) {
      return (int) s.filter(p -> p.getFileName().toString().startsWith("shard-")).count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
