package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.report.Verdict;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.samples.data.SampleData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The job's command line on the Direct runner: options, the spec file, checks before and after. */
class ReKeyJobTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  static JobRun run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--runner=DirectRunner");
    return JobRun.of(all);
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
    return reKeyArgs(output, "customers.avro", "card.number", more);
  }

  /**
   * {@link #acceptedArgsAnd Accepted arguments} into {@code output} without the option {@code
   * option}, plus {@code more}.
   */
  static String[] acceptedArgsWithout(Path output, String option, String... more) {
    List<String> a = new ArrayList<>(List.of(acceptedArgsAnd(output)));
    a.removeIf(arg -> arg.startsWith(option + "="));
    return args(a, more);
  }

  /**
   * Arguments that re-key {@code fields} of the sample data set {@code input} to the new key, into
   * {@code output}, plus {@code more}.
   */
  static String[] reKeyArgs(Path output, String input, String fields, String... more) {
    List<String> a = new ArrayList<>(common(output));
    a.add("--input=" + samples.data(input));
    a.add("--fields=" + fields);
    a.add("--destinationKeyId=" + Samples.NEW_KEY);
    return args(a, more);
  }

  /** The report a run wrote into {@code output}. */
  static JsonNode report(Path output) throws IOException {
    return new ObjectMapper().readTree(output.resolve(ReKeyJob.REPORT_FILE).toFile());
  }

  /** Runs the job, which must refuse {@code args} as a usage error; returns what it printed why. */
  static String usageError(String... args) {
    JobRun r = run(args);
    assertThat(r.err(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    return r.err();
  }

  /** Arguments of a run through a KMS endpoint (nothing listens there: these are refused first). */
  static String[] throughAnEndpoint(Path output, String... more) {
    List<String> a = new ArrayList<>();
    a.add("--output=" + output);
    a.add("--kmsEndpoint=http://127.0.0.1:9");
    a.add("--region=eu-west-1");
    a.add("--input=" + samples.data("customers.avro"));
    a.add("--fields=card.number");
    a.add("--destinationKeyId=" + Samples.NEW_KEY);
    return args(a, more);
  }

  @Test
  void aResumableRunThatFailsTheEndpointChecks_isAUsageError_andStartsNoManifest() {
    Path out = dir.resolve("remote-resumable");
    // Here no credentials, and nothing listens: the checks of the endpoint come first.
    String err = usageError(throughAnEndpoint(out, "--resumable"));
    assertThat(err, startsWith("rekey: --kmsEndpoint http://127.0.0.1:9 "));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void help_listsEveryOptionOfTheJob_grouped_beforeAndWithoutBeamsOwn() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReKeyJob.Outcome o =
        ReKeyJob.run(
            new String[] {"--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    String help = out.toString(StandardCharsets.UTF_8);
    assertThat(o.exitCode(), is(0));
    assertThat(
        new java.util.TreeSet<>(JobArguments.listedOptions()),
        equalTo(new java.util.TreeSet<>(JobArguments.describedOptions().keySet())));
    for (String option : JobArguments.listedOptions()) {
      assertThat(help, containsString("  --" + option));
    }
    assertThat(help, containsString("Pass through, unchanged and counted, every ciphertext"));
    assertThat(help, containsString("scripts/rekey --samples"));
    assertThat(help, containsString("Default: FlinkRunner, on an embedded cluster"));
    assertThat(help, containsString("--maxDeadLetterFraction=<number>"));
    assertThat(help, not(containsString("optionsId")));
    assertThat(help, not(containsString("userAgent")));
  }

  @Test
  void helpBeam_listsBeamsOwnOptions() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReKeyJob.run(
        new String[] {"--help=beam"},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err);
    assertThat(out.toString(StandardCharsets.UTF_8), containsString("--userAgent"));
  }

  @Test
  void anOptionAndItsValueWithASpace_isReadAsOneOption() throws IOException {
    Path out = dir.resolve("space");
    List<String> a = new ArrayList<>(common(out));
    a.addAll(
        List.of(
            "--input",
            samples.data("customers.avro").toString(),
            "--fields",
            "card.number",
            "--destinationKeyId",
            Samples.NEW_KEY));
    JobRun r = run(a.toArray(new String[0]));
    assertThat(r.err(), r.outcome().exitCode(), is(0));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
  }

  /**
   * Arguments the job refuses before it starts: what is wrong, the output directory, what is added
   * to {@link #acceptedArgsAnd accepted arguments}, and what the refusal says.
   */
  static Stream<Arguments> refusedBeforeTheStart() {
    return Stream.of(
        Arguments.of(
            "a boolean option given a value with a space",
            "bool-space",
            List.of("--skipIfCurrent", "yes"),
            "rekey: --skipIfCurrent takes no value (write --skipIfCurrent or"
                + " --skipIfCurrent=false)"),
        Arguments.of(
            "input and replay together",
            "both",
            List.of("--replayDeadLetters=" + dir),
            "rekey: Give either --input or --replayDeadLetters (exactly one of them)"),
        Arguments.of(
            "a region not in the key store",
            "no-such-region",
            List.of("--region=ap-south-1"),
            "rekey: The key store in "
                + samples.keystore()
                + " has no region ap-south-1 (it has [us-east-1, eu-west-1])"),
        Arguments.of(
            "a principal of another account",
            "other-account",
            List.of("--principal=arn:verenc:444455556666:user/mallory"),
            "rekey: The principal arn:verenc:444455556666:user/mallory is not of the key store's"
                + " account 111122223333"),
        Arguments.of(
            "--shipKeystore without a Flink cluster",
            "ship-local",
            List.of("--shipKeystore"),
            "rekey: --shipKeystore needs a Flink cluster (--runner=FlinkRunner"
                + " --flinkMaster=host:port); other runs read --keystore directly"),
        Arguments.of(
            "a source key that is not the blobs' key (named by the check of a sample)",
            "wrong-source-key",
            List.of("--sourceKeyId=" + Samples.NEW_KEY),
            "(ContextFieldMissing 1, IncorrectKeyException 203), field card.number: --sourceKeyId"
                + " alias/sample-new is not the key of these ciphertexts: they name"
                + " arn:verenc:111122223333:key/"),
        Arguments.of(
            "an alias that does not exist (named by the check of a sample)",
            "no-alias",
            List.of("--sourceKeyId=alias/sample-nw"),
            "NotFoundException 203), field card.number: Alias"
                + " arn:verenc:111122223333:alias/sample-nw is not found. (check --sourceKeyId,"
                + " --destinationKeyId and the aliases they name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedBeforeTheStart")
  void aWrongArgument_isAUsageErrorSayingWhat_andWritesNothing(
      String what, String output, List<String> added, String refusal) {
    Path out = dir.resolve(output);
    String err = usageError(acceptedArgsAnd(out, added.toArray(new String[0])));
    assertThat(err, containsString(refusal));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void noFields_isAUsageError() {
    String err = usageError(acceptedArgsWithout(dir.resolve("nofields"), "--fields"));
    assertThat(
        err,
        containsString(
            "rekey: No ciphertext fields: give --fields (e.g. --fields=card.number) or a --spec"
                + " with fields"));
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
            "rekey: --output "
                + used
                + " is not empty; each run writes into a new directory: give another --output"));
  }

  @Test
  void deadLetterDirectoryNotEmpty_isAUsageError() throws IOException {
    Path used = Files.createDirectories(dir.resolve("used-dead-letters"));
    Files.writeString(used.resolve("part-00000-of-00001.avro"), "an earlier run's");
    String err = usageError(acceptedArgsAnd(dir.resolve("fresh-output"), "--deadLetter=" + used));
    assertThat(
        err,
        containsString(
            "rekey: --deadLetter "
                + used
                + " is not empty; each run writes into a new directory: give another"
                + " --deadLetter"));
  }

  @Test
  void report_holdsTheRecordsCountedInTheFiles_andTheirCheck() throws IOException {
    Path out = dir.resolve("committed");
    JobRun r = run(reKeyArgs(out, "customers.jsonl", Samples.FIELDS));
    assertThat(r.err(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    JsonNode report = report(out);
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
            acceptedArgsWithout(
                dir.resolve("disabled-dest"),
                "--destinationKeyId",
                "--destinationKeyId=" + Samples.DISABLED_KEY));
    assertThat(err, containsString("rekey: The destination key alias/sample-disabled ("));
    assertThat(err, containsString(") is Disabled"));
    assertThat(Files.exists(dir.resolve("disabled-dest")), is(false));
  }

  @Test
  void deadLetterFractionAboveTheLimit_failsTheRun_withoutSuccessMarker() throws IOException {
    Path out = dir.resolve("too-many");
    JobRun r =
        run(reKeyArgs(out, "customers.avro", Samples.FIELDS, "--maxDeadLetterFraction=0.01"));
    assertThat(r.outcome().exitCode(), is(Verdict.TOO_MANY_DEAD_LETTERS.exitCode()));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(false));
    JsonNode report = report(out);
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
    JobRun r =
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
  void embeddedFlink_getsATaskSlotPerSubtask_pipelinedExchanges_loopbackOnly_andMutualTls()
      throws IOException {
    String[] a = {"--runner=FlinkRunner", "--parallelism=3"};
    ReKeyOptions o = PipelineOptionsFactory.fromArgs(a).as(ReKeyOptions.class);
    String config;
    Path scratchDir;
    try (RunScratch scratch = RunScratch.create()) {
      scratchDir = scratch.dir();
      FlinkSettings.apply(o, a, scratch);
      String conf = o.as(FlinkPipelineOptions.class).getFlinkConfDir();
      assertThat(Path.of(conf).startsWith(scratch.dir()), is(true));
      config = Files.readString(Path.of(conf, "config.yaml"));
      assertThat(Files.exists(scratch.dir().resolve("tls/keystore.p12")), is(true));
    }
    assertThat(Files.exists(scratchDir), is(false));
    assertThat(
        config,
        startsWith(
            "taskmanager.numberOfTaskSlots: 3\n"
                + "execution.batch-shuffle-mode: ALL_EXCHANGES_PIPELINED\n"
                + "jobmanager.scheduler: Default\n"
                + "jobmanager.bind-host: 127.0.0.1\n"
                + "rest.bind-address: 127.0.0.1\n"
                + "rest.address: 127.0.0.1\n"
                + "io.tmp.dirs: '"
                + scratchDir.resolve("flink-tmp")
                + "'\n"));
    assertThat(config, containsString("security.ssl.rest.enabled: true\n"));
    assertThat(config, containsString("security.ssl.rest.authentication-enabled: true\n"));
    assertThat(config, containsString("security.ssl.internal.enabled: true\n"));
    assertThat(config, containsString("web.submit.enable: false\n"));
  }

  @Test
  void embeddedFlink_givenConfDir_isKept() {
    String[] a = {"--runner=FlinkRunner", "--flinkConfDir=/etc/my-flink"};
    ReKeyOptions o = PipelineOptionsFactory.fromArgs(a).as(ReKeyOptions.class);
    try (RunScratch scratch = RunScratch.create()) {
      FlinkSettings.apply(o, a, scratch);
    }
    assertThat(o.as(FlinkPipelineOptions.class).getFlinkConfDir(), equalTo("/etc/my-flink"));
  }

  // ---- the check before the run: a sample of the input tried with the run's settings ----------

  @Test
  void aContextReferenceToTheWrongField_isNamed_beforeTheRun() {
    String err =
        usageError(
            acceptedArgsWithout(
                dir.resolve("wrong-reference"),
                "--sourceEncryptionContext",
                "--sourceEncryptionContext={\"tenant\":\"${id}\"}"));
    assertThat(
        err,
        containsString(
            "the ciphertexts do not open with the source encryption context"
                + " {\"tenant\":\"${id}\"}: one of its keys or values (or a record field a ${...}"
                + " names) differs from the context they were made with"));
  }

  @Test
  void ciphertextsMadeWithoutAContext_areNamed_whenAContextIsGiven() throws IOException {
    Path bench = samples.bench(20); // made without an encryption context
    List<String> a =
        List.of(
            "--input=" + bench,
            "--output=" + dir.resolve("needless-context"),
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--sourceEncryptionContext={\"tenant\":\"t1\"}",
            "--destinationEncryptionContext={}");
    String err = usageError(a.toArray(new String[0]));
    assertThat(
        err,
        containsString(
            "(all with InvalidCiphertextException), field secret: the ciphertexts were made without an"
                + " encryption context: leave out --sourceEncryptionContext"));
  }

  @Test
  void aJsonLinesPathNoRecordHas_isRefused_unlessAllowed() {
    Path out = dir.resolve("absent-json-field");
    String err = usageError(reKeyArgs(out, "customers.jsonl", "card.number,profile.ssn"));
    assertThat(
        err,
        containsString(
            "rekey: --fields: profile.ssn is in none of the 204 records sampled from the input;"
                + " their fields are card, card.holder, card.number, id, items[], items[].secret,"
                + " items[].sku, note, tenant_id. Give --allowAbsentFields if the field is absent on"
                + " purpose."));

    JobRun r =
        run(reKeyArgs(out, "customers.jsonl", "card.number,profile.ssn", "--allowAbsentFields"));
    assertThat(r.err(), r.outcome().exitCode(), is(0));
  }

  @Test
  void distance_countsEdits() {
    assertThat(SampleCheck.distance("card.numbr", "card.number"), is(1));
    assertThat(SampleCheck.distance("", "abc"), is(3));
    assertThat(SampleCheck.distance("tenant", "tenant"), is(0));
  }

  @Test
  void aRun_writesReportHtmlBesideTheJson_withRecordsOverTime() throws IOException {
    Path out = dir.resolve("report-page");
    JobRun r = run(acceptedArgsAnd(out));
    assertThat(r.err(), r.outcome().exitCode(), is(0));
    JsonNode report = report(out);
    JsonNode timeline = report.get("timeline");
    assertThat(report.toString(), timeline.isArray(), is(true));
    JsonNode last = timeline.get(timeline.size() - 1);
    assertThat(last.get("records").asLong(), is(report.get("records").get("read").asLong()));
    String page = Files.readString(out.resolve("report.html"));
    assertThat(page, containsString("<title>"));
    assertThat(page, not(containsString("<script")));
  }
}
