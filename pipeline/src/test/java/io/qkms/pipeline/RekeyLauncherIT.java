package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.pipeline.testing.Launcher;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's mistakes, made with {@code scripts/rekey} as a user types it (its own process, the
 * job jar that {@code mvn package} built): each gets its exit code and one exact line, no stack
 * trace, nothing written where nothing should be, and nothing left in the temporary directory (a
 * private one per run, through {@code JAVA_OPTS}).
 */
class RekeyLauncherIT {
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  @TempDir static Path dir;
  static Samples samples;
  Path tmp;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  @BeforeEach
  void privateTemporaryDirectory() throws IOException {
    tmp = Files.createTempDirectory(dir, "tmp-");
  }

  /** What a run printed, and how long it took. */
  record Result(int exitCode, String out, String err, Duration took) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /**
   * {@code scripts/rekey args...} on the Java of these tests, without a start-up cache, with a
   * private temporary directory that must be empty again afterwards, and no stack trace on stderr.
   */
  Result rekey(String... args) throws IOException {
    long t0 = System.nanoTime();
    Launcher.Result r =
        Launcher.run(
            "rekey",
            List.of(args),
            Map.of(
                "JAVA_HOME",
                Launcher.thisJavaHome(),
                "QKMS_AOT",
                "off",
                "JAVA_OPTS",
                "-Djava.io.tmpdir=" + tmp),
            dir,
            TIMEOUT);
    Result result =
        new Result(r.exitCode(), r.stdout(), r.stderr(), Duration.ofNanos(System.nanoTime() - t0));
    assertThat(result.toString(), result.err(), not(containsString("\tat ")));
    assertThat(result.toString(), result.err(), not(containsString("Exception in thread")));
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(result.toString(), left.toList(), is(empty()));
    }
    return result;
  }

  static List<String> accepted(Path output) {
    return new ArrayList<>(
        List.of(
            "--input=" + samples.data("customers.avro"),
            "--output=" + output,
            "--keystore=" + samples.keystore(),
            "--fields=card.number",
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--sourceEncryptionContext=" + Samples.TENANT_CONTEXT,
            "--destinationEncryptionContext=" + Samples.TENANT_CONTEXT));
  }

  /** {@code args} less those starting with {@code prefix}, plus {@code more}. */
  static String[] without(List<String> args, String prefix, String... more) {
    List<String> a = new ArrayList<>(args);
    a.removeIf(s -> s.startsWith(prefix));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  void assertUsageError(Result r, Path output, String line) {
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(r.toString(), r.err(), startsWith("rekey: " + line + "\n"));
    assertThat(
        r.toString(),
        r.err(),
        containsString("rekey: nothing was written; --help lists the options\n"));
    assertThat(Files.exists(output), is(false));
  }

  @Test
  void noSourceContext_stopsBeforeTheRun_namingTheSetting() throws IOException {
    Path output = dir.resolve("no-context");
    // Both contexts left out, as a newcomer would.
    Result r =
        rekey(
            without(
                List.of(without(accepted(output), "--sourceEncryptionContext")),
                "--destinationEncryptionContext"));
    assertUsageError(
        r,
        output,
        "None of the 204 records sampled from the input re-encrypts with these settings"
            + " (DisabledException 1, InvalidCiphertextException 203), field card.number: the"
            + " ciphertexts do not open without an encryption context, so they were most likely made"
            + " with one: give it with --sourceEncryptionContext (values may name record fields,"
            + " e.g. '{\"tenant\":\"${tenant_id}\"}')");
  }

  @Test
  void aMisspelledJsonLinesFieldPath_isRefused_withTheClosestPath() throws IOException {
    Path output = dir.resolve("json-typo");
    Result r =
        rekey(
            without(
                accepted(output),
                "--input",
                "--input=" + samples.data("customers.jsonl"),
                "--fields=card.numbr"));
    assertUsageError(
        r,
        output,
        "--fields: card.numbr is in none of the 204 records sampled from the input (did you mean"
            + " card.number?); their fields are card, card.holder, card.number, id, items[],"
            + " items[].secret, items[].sku, note, tenant_id. Give --allowAbsentFields if the field"
            + " is absent on purpose.");
  }

  @Test
  void aSourceContextWithoutADestinationContext_isRefused() throws IOException {
    Path output = dir.resolve("no-destination-context");
    Result r = rekey(without(accepted(output), "--destinationEncryptionContext"));
    assertUsageError(
        r,
        output,
        "Field card.number has a source encryption context but no destination context: the new"
            + " ciphertexts would have none. Give the context to re-encrypt with (usually the same:"
            + " --destinationEncryptionContext='{\"tenant\":\"${tenant_id}\"}'), or"
            + " --destinationEncryptionContext={} for none");
  }

  @Test
  void anEmptyFlinkMaster_failsAtOnce() throws IOException {
    Path output = dir.resolve("empty-master");
    Result r = rekey(without(accepted(output), "--flinkMaster", "--flinkMaster="));
    assertUsageError(
        r,
        output,
        "--flinkMaster is empty: give the cluster's REST address host:port (`scripts/flink-cluster"
            + " start` prints it on its last line; check that it started), or leave --flinkMaster"
            + " out to run on an embedded cluster");
  }

  @Test
  void aFlinkMasterWhereNothingListens_failsWithinSeconds() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path output = dir.resolve("no-cluster");
    Result r = rekey(without(accepted(output), "--flinkMaster", "--flinkMaster=127.0.0.1:" + port));
    assertUsageError(
        r,
        output,
        "Cannot reach the Flink cluster at --flinkMaster 127.0.0.1:"
            + port
            + ": nothing listens there (connection refused) (is it running?"
            + " `scripts/flink-cluster status` shows a local one)");
    assertThat(r.took(), lessThan(Duration.ofSeconds(60)));
  }

  @Test
  void aKeyStoreThatIsNotThere_isOneLine() throws IOException {
    Path output = dir.resolve("no-keystore");
    Result r = rekey(without(accepted(output), "--keystore", "--keystore=kss"));
    assertUsageError(
        r,
        output,
        "--keystore "
            + dir.resolve("kss")
            + ": no such directory (a key store is the directory `scripts/qkms init --keystore DIR`"
            + " makes)");
  }

  @Test
  void anOutputThatIsAFile_isOneLine() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Result r = rekey(without(accepted(file), "--output", "--output=" + file));
    assertThat(r.toString(), r.exitCode(), is(2));
    assertThat(
        r.err(),
        startsWith(
            "rekey: --output "
                + file
                + " is a file: give a new (or empty) directory for the run\n"));
    assertThat(Files.readString(file), equalTo("x"));
  }

  @Test
  void aRunStoppedBecauseMostRecordsFail_exits4_withoutStackTraces_andTheRerunSaysWhy()
      throws IOException {
    // The first file's records re-encrypt, so the check before the run passes; the second file's
    // 1,500 do not open: the worker that reads them stops the run after 1,000 tries.
    Path in = Files.createDirectories(dir.resolve("mixed"));
    Files.copy(samples.bench(300), in.resolve("a-good.avro"));
    corrupt(samples.bench(1500), in.resolve("b-bad.avro"));
    Path output = dir.resolve("mostly-failing");
    List<String> args =
        List.of(
            "--input=" + in.resolve("*.avro"),
            "--output=" + output,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + Samples.NEW_KEY);
    Result r = rekey(args.toArray(new String[0]));
    assertThat(r.toString(), r.exitCode(), is(4));
    assertThat(
        r.toString(),
        r.out(),
        startsWith("QKMS re-key FAILED: too many dead letters (exit 4) after "));
    assertThat(r.toString(), r.out(), containsString("failure: "));
    assertThat(
        r.toString(),
        r.out(),
        containsString("records one worker tried failed (InvalidCiphertextException "));
    assertThat(r.out(), containsString("  log: " + output.resolve(ReKeyJob.LOG_FILE)));
    assertThat(Files.exists(output.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    assertThat(Files.exists(output.resolve(ReKeyJob.REPORT_FILE)), is(true));

    Result again = rekey(args.toArray(new String[0]));
    assertThat(again.toString(), again.exitCode(), is(2));
    assertThat(
        again.err(),
        startsWith(
            "rekey: --output "
                + output
                + " is not empty: it holds the report of a failed run; each run writes into a new"
                + " directory: give another --output\n"));
  }

  @Test
  void aSuccessfulRun_withDeadLetters_saysSo_andLeavesNoTemporaryFiles() throws IOException {
    Path output = dir.resolve("ok");
    Result r = rekey(accepted(output).toArray(new String[0]));
    assertThat(r.toString(), r.exitCode(), is(0));
    assertThat(r.out(), startsWith("QKMS re-key SUCCEEDED, with 4 dead letters: 204 records in "));
    assertThat(Files.exists(output.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
  }

  /** A copy of {@code from} with one byte of every ciphertext changed. */
  private static void corrupt(Path from, Path to) throws IOException {
    try (DataFileReader<GenericRecord> in =
            new DataFileReader<>(from.toFile(), new GenericDatumReader<>());
        DataFileWriter<GenericRecord> out = new DataFileWriter<>(new GenericDatumWriter<>())) {
      out.create(in.getSchema(), to.toFile());
      for (GenericRecord r : in) {
        ByteBuffer b = (ByteBuffer) r.get("secret");
        byte[] blob = new byte[b.remaining()];
        b.get(blob);
        blob[blob.length - 1] ^= 1;
        r.put("secret", ByteBuffer.wrap(blob));
        out.append(r);
      }
    }
  }
}
