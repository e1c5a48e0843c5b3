package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.SampleData;
import io.qkms.pipeline.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's command line on the Direct runner: options, the spec file, checks before and after. */
class ReKeyJobTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
  }

  record Run(ReKeyJob.Outcome outcome, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--runner=DirectRunner");
    ReKeyJob.Outcome o =
        ReKeyJob.run(
            all.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(o, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static List<String> common(Path output) {
    return List.of(
        "--output=" + output,
        "--keystore=" + samples.keystore(),
        "--sourceEncryptionContext={\"tenant\":\"${tenant_id}\"}",
        "--destinationEncryptionContext={\"tenant\":\"${tenant_id}\"}");
  }

  static String[] args(List<String> a, String... more) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  /**
   * Arguments the job accepts (the sample customers' card numbers to the new key, into {@code
   * output}), plus {@code more}: the one thing a usage-error test gets wrong.
   */
  static String[] acceptedArgsAnd(Path output, String... more) {
    List<String> a = new ArrayList<>(common(output));
    a.add("--input=" + samples.data("customers.avro"));
    a.add("--fields=card.number");
    a.add("--destinationKeyId=" + Samples.NEW_KEY);
    return args(a, more);
  }

  /** Runs the job, which must refuse {@code args} as a usage error; returns what it printed why. */
  static String usageError(String... args) {
    Run r = run(args);
    assertThat(r.err(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    return r.err();
  }

  @Test
  void help_listsTheJobsOptionsWithDescriptions() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReKeyJob.Outcome o =
        ReKeyJob.run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(o.exitCode(), is(0));
    for (String option :
        List.of(
            "--input",
            "--inputFormat",
            "--output",
            "--deadLetter",
            "--fields",
            "--destinationKeyId",
            "--sourceKeyId",
            "--sourceEncryptionContext",
            "--destinationEncryptionContext",
            "--grantTokens",
            "--keystore",
            "--region",
            "--principal",
            "--skipIfCurrent",
            "--cacheTtl",
            "--cacheCapacity",
            "--maxDeadLetterFraction",
            "--spec",
            "--replayDeadLetters",
            "--shipKeystore",
            "--checkCommitted")) {
      assertThat(help, containsString(option + "="));
    }
    assertThat(help, containsString("Pass through, unchanged and counted, every ciphertext"));
  }

  @Test
  void inputAndReplayTogether_isAUsageError() {
    String err = usageError(acceptedArgsAnd(dir.resolve("both"), "--replayDeadLetters=" + dir));
    assertThat(
        err,
        containsString("rekey: Give either --input or --replayDeadLetters (exactly one of them)"));
  }

  @Test
  void noFields_isAUsageError() {
    String err =
        usageError(
            args(
                common(dir.resolve("nofields")),
                "--input=" + samples.data("customers.avro"),
                "--destinationKeyId=" + Samples.NEW_KEY));
    assertThat(
        err,
        containsString(
            "rekey: No ciphertext fields: give --fields (e.g. --fields=card.number) or a --spec"
                + " with fields"));
  }

  @Test
  void regionNotInTheKeyStore_isAUsageError_beforeTheJobStarts() {
    String err = usageError(acceptedArgsAnd(dir.resolve("no-such-region"), "--region=ap-south-1"));
    assertThat(
        err,
        containsString(
            "rekey: The key store in "
                + samples.keystore()
                + " has no region ap-south-1 (it has [us-east-1, eu-west-1])"));
  }

  @Test
  void principalOfAnotherAccount_isAUsageError_beforeTheJobStarts() {
    String err =
        usageError(
            acceptedArgsAnd(
                dir.resolve("other-account"), "--principal=arn:verenc:444455556666:user/mallory"));
    assertThat(
        err,
        containsString(
            "rekey: The principal arn:verenc:444455556666:user/mallory is not of the key store's"
                + " account 111122223333"));
  }

  @Test
  void outputDirectoryWithFiles_isRefused() throws IOException {
    Path used = dir.resolve("used");
    Files.createDirectories(used);
    Files.writeString(used.resolve("part-00000-of-00001.avro"), "x");
    String err = usageError(acceptedArgsAnd(used));
    assertThat(
        err,
        containsString(
            "rekey: --output " + used + " is not empty: each run writes into a new directory"));
  }

  @Test
  void deadLetterDirectoryNotEmpty_isAUsageError() throws IOException {
    Path used = Files.createDirectories(dir.resolve("used-dead-letters"));
    Files.writeString(used.resolve("part-00000-of-00001.avro"), "an earlier run's");
    String err = usageError(acceptedArgsAnd(dir.resolve("fresh-output"), "--deadLetter=" + used));
    assertThat(
        err,
        containsString(
            "rekey: --deadLetter " + used + " is not empty: each run writes into a new directory"));
  }

  @Test
  void shipKeystore_withoutAFlinkCluster_isAUsageError() {
    String err = usageError(acceptedArgsAnd(dir.resolve("ship-local"), "--shipKeystore"));
    assertThat(
        err,
        containsString(
            "rekey: --shipKeystore needs a Flink cluster (--runner=FlinkRunner"
                + " --flinkMaster=host:port); other runs read --keystore directly"));
    assertThat(Files.exists(dir.resolve("ship-local")), is(false));
  }

  @Test
  void report_holdsTheRecordsCountedInTheFiles_andTheirCheck() throws IOException {
    Path out = dir.resolve("committed");
    Run r =
        run(
            args(
                common(out),
                "--input=" + samples.data("customers.jsonl"),
                "--fields=card.number,items[].secret,note",
                "--destinationKeyId=" + Samples.NEW_KEY));
    assertThat(r.err(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    JsonNode report = new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
    assertThat(report.get("committed").get("inputRecords").asLong(), is(204L));
    assertThat(report.get("committed").get("written").asLong(), is(200L));
    assertThat(report.get("committed").get("deadLettered").asLong(), is(4L));
    assertThat(report.get("checks").get("committedCountsMatch").asBoolean(), is(true));
    assertThat(report.get("checks").get("transientDeadLetters").asLong(), is(0L));
  }

  @Test
  void disabledDestinationKey_isFoundBeforeTheJobStarts() {
    String err =
        usageError(
            args(
                common(dir.resolve("disabled-dest")),
                "--input=" + samples.data("customers.avro"),
                "--fields=card.number",
                "--destinationKeyId=" + Samples.DISABLED_KEY));
    assertThat(err, containsString("rekey: The destination key alias/sample-disabled ("));
    assertThat(err, containsString(") is Disabled"));
    assertThat(Files.exists(dir.resolve("disabled-dest")), is(false));
  }

  @Test
  void deadLetterFractionAboveTheLimit_failsTheRun_withoutSuccessMarker() throws IOException {
    Path out = dir.resolve("too-many");
    Run r =
        run(
            args(
                common(out),
                "--input=" + samples.data("customers.avro"),
                "--fields=card.number,items[].secret,note",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--maxDeadLetterFraction=0.01"));
    assertThat(r.outcome().exitCode(), is(ReKeyJob.EXIT_DEAD_LETTERS));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    JsonNode report = new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
    assertThat(report.get("status").asText(), equalTo("FAILED"));
    assertThat(
        report.get("failure").asText(),
        equalTo(
            "dead letters are 0.0196 of the records read, more than --maxDeadLetterFraction=0.01"));
    assertThat(r.out(), containsString("QKMS re-key FAILED"));
  }

  @Test
  void specFile_perFieldKeyWins_flagsOverrideItsDefaults_andFieldsAdd() throws IOException {
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        """
        destinationKeyId: alias/sample-disabled   # overridden by --destinationKeyId
        fields:
          - card.number
          - path: note
            destinationKeyId: alias/sample-rotating
        """);
    Path out = dir.resolve("spec-run");
    Run r =
        run(
            args(
                common(out),
                "--input=" + samples.data("rotation.avro"),
                "--spec=" + spec,
                "--fields=items[].secret",
                "--destinationKeyId=" + Samples.NEW_KEY));
    assertThat(r.err(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    List<GenericRecord> records = Outputs.avro(out);
    assertThat(records.size(), is(Samples.SMALL_SET));
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      for (GenericRecord rec : records) {
        String id = rec.get("id").toString();
        var ctx = SampleData.context(rec.get("tenant_id").toString());
        assertThat(
            admin.decrypt(
                Outputs.bytes(((GenericRecord) rec.get("card")).get("number")),
                Samples.NEW_KEY,
                ctx,
                Samples.US_EAST_1),
            equalTo(SampleData.expectedCardNumber(id)));
        List<?> items = (List<?>) rec.get("items");
        for (int j = 0; j < items.size(); j++) {
          assertThat(
              admin.decrypt(
                  java.util.Base64.getDecoder()
                      .decode(((GenericRecord) items.get(j)).get("secret").toString()),
                  Samples.NEW_KEY,
                  ctx,
                  Samples.US_EAST_1),
              equalTo(SampleData.expectedItemSecret(id, j)));
        }
        if (rec.get("note") != null) {
          assertThat(
              admin.decrypt(
                  Outputs.bytes(rec.get("note")), Samples.ROTATING_KEY, ctx, Samples.US_EAST_1),
              equalTo(SampleData.expectedNote(id)));
        }
      }
    }
  }

  @Test
  void embeddedFlink_getsATaskSlotPerSubtask_pipelinedExchanges_andLoopbackOnly()
      throws IOException {
    ReKeyOptions o =
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
                "--runner=FlinkRunner", "--parallelism=3")
            .as(ReKeyOptions.class);
    ReKeyJob.applyRunnerDefaults(o, new String[] {"--runner=FlinkRunner", "--parallelism=3"});
    String conf = o.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class).getFlinkConfDir();
    assertThat(
        Files.readString(Path.of(conf, "config.yaml")),
        equalTo(
            "taskmanager.numberOfTaskSlots: 3\n"
                + "execution.batch-shuffle-mode: ALL_EXCHANGES_PIPELINED\n"
                + "jobmanager.scheduler: Default\n"
                + "jobmanager.bind-host: 127.0.0.1\n"
                + "rest.bind-address: 127.0.0.1\n"
                + "rest.address: 127.0.0.1\n"));
  }

  @Test
  void embeddedFlink_givenConfDir_isKept() {
    String[] a = {"--runner=FlinkRunner", "--flinkConfDir=/etc/my-flink"};
    ReKeyOptions o =
        org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(a).as(ReKeyOptions.class);
    ReKeyJob.applyRunnerDefaults(o, a);
    assertThat(
        o.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class).getFlinkConfDir(),
        equalTo("/etc/my-flink"));
  }
}
