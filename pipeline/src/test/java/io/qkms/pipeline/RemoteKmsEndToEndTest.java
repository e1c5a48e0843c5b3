package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Principal;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.pipeline.manifest.Manifest;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.QkmsServe;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.remote.RemoteClients;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsAsyncClient;

/**
 * The job through a real {@code qkms serve} ({@code --kmsEndpoint}): the workers hold no key store,
 * sign their calls with credentials from the AWS SDK's default chain (here the system properties
 * {@code aws.sharedCredentialsFile} and {@code aws.profile}, which it reads like the environment
 * variables), and everything else works as with a key store: field paths, contexts from record
 * fields, dead letters with the API's codes, report.json, replay, committed counts. The samples'
 * data on Flink embedded (Avro); on the Direct runner (JSON Lines), {@link RemoteKmsTlsTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class RemoteKmsEndToEndTest {
  static final String CONTEXT = "{\"tenant\":\"${tenant_id}\"}";
  private static final ObjectMapper JSON = new ObjectMapper();

  Path dir;
  Samples samples;
  QkmsServe server;
  Path credentials;
  NewAccessKey accessKey;

  @BeforeAll
  void startTheEndpoint() throws IOException {
    dir = Files.createTempDirectory("qkms-remote-e2e-");
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    credentials = dir.resolve("credentials");
    accessKey =
        QkmsServe.credentials(samples.keystore(), Principal.root(Samples.ACCOUNT), credentials);
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.profile", "qkms");
    server = QkmsServe.start(samples.keystore(), List.of());
  }

  @AfterAll
  void stopAndCleanUp() throws IOException {
    System.clearProperty("aws.sharedCredentialsFile");
    System.clearProperty("aws.profile");
    if (server != null) {
      server.close();
    }
    TestDirs.deleteTree(dir);
    assertThat("KMS clients left open", RemoteClients.openClients(), is(0));
  }

  JobRun job(List<String> args) {
    return JobRun.echoed(args);
  }

  List<String> remoteArgs(Path input, Path output, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--input=" + input,
                "--output=" + output,
                "--kmsEndpoint=" + server.endpoint(),
                "--region=us-east-1",
                "--fields=" + Samples.FIELDS,
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--sourceEncryptionContext=" + CONTEXT,
                "--destinationEncryptionContext=" + CONTEXT));
    a.addAll(List.of(more));
    return a;
  }

  /** Ciphertext fields of the 200 good sample customers, and of the bad records that are sent. */
  static long expectedCalls() {
    long fields = 0;
    for (int i = 0; i < Samples.CUSTOMERS; i++) {
      SampleData.Customer c = SampleData.customer("cust", i);
      fields += 1 + c.items().size() + (c.note() == null ? 0 : 1);
    }
    // bad-tampered-1, bad-context-2 and bad-disabled-3 are sent (every field of a record goes at
    // once); bad-notenant-5 fails on its context before any call.
    for (int i = 1; i <= 3; i++) {
      SampleData.Customer c = SampleData.customer("bad", i);
      fields += 1 + c.items().size() + (c.note() == null ? 0 : 1);
    }
    return fields;
  }

  KmsAsyncClient admin() {
    return KmsAsyncClient.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            ProfileCredentialsProvider.builder()
                .profileFile(
                    software.amazon.awssdk.profiles.ProfileFile.builder()
                        .content(credentials)
                        .type(software.amazon.awssdk.profiles.ProfileFile.Type.CREDENTIALS)
                        .build())
                .profileName("qkms")
                .build())
        .build();
  }

  Path avroRun;
  JobRun avro;

  @Test
  @Order(1)
  void avroOnFlink_reEncryptsEveryGoodRecord_deadLettersTheBadOnesWithTheApiCodes()
      throws IOException {
    avroRun = dir.resolve("avro-run");
    avro = job(remoteArgs(samples.data("customers.avro"), avroRun));

    assertThat(avro.out(), avro.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(avroRun.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    RunReport r = avro.report();
    assertThat(r.read(), is(204L));
    assertThat(r.written(), is(200L));
    assertThat(r.committedCountsMatch(), is(true));
    assertThat(r.deadLettersByCode(), equalTo(Samples.badRecordsByCode()));
    Samples.Verified v = samples.verify(avroRun, Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(200L));
    Map<String, String> codes = new TreeMap<>();
    String oldArn;
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      oldArn = admin.arn(Samples.OLD_KEY, Samples.US_EAST_1);
    }
    for (GenericRecord d : Outputs.avro(avroRun.resolve("dead-letter"))) {
      String id = ((GenericRecord) d.get("record")).get("id").toString();
      codes.put(id, d.get("errorCode").toString());
      assertThat(d.get("fieldPath").toString(), equalTo("card.number"));
      if (id.equals("bad-tampered-1")) {
        assertThat(d.get("sourceKeyArn").toString(), equalTo(oldArn));
        assertThat(d.get("attempts"), is(1));
      }
    }
    assertThat(codes, equalTo(new TreeMap<>(Samples.BAD_RECORD_CODES)));
  }

  @Test
  @Order(2)
  void avroOnFlink_reportAndSummaryCountTheRequests_andNoPlaintextAnywhere() throws IOException {
    RunReport r = avro.report();
    assertThat(r.kmsRequests(), is(expectedCalls()));
    assertThat(r.kmsThrottled(), is(0L));
    assertThat(r.counter(ReKeyMetrics.KMS_HTTP_REQUESTS), greaterThan(expectedCalls() - 1));
    JsonNode report = JSON.readTree(avroRun.resolve(ReKeyJob.REPORT_FILE).toFile());
    JsonNode kms = report.path("kms");
    assertThat(kms.path("endpoint").asText(), equalTo(server.endpoint()));
    assertThat(kms.path("requestsSent").asLong(), is(expectedCalls()));
    assertThat(kms.path("throttled").asLong(), is(0L));
    assertThat(kms.path("achievedRequestsPerSecond").asDouble(), greaterThan(0.0));
    assertThat(kms.path("estimatedCost").asDouble(), greaterThan(0.0));
    assertThat(report.path("run").path("kmsEndpoint").asText(), equalTo(server.endpoint()));
    assertThat(report.path("run").has("keystore"), is(false));
    assertThat(avro.out(), containsString("rekey: estimate: 204 records"));
    assertThat(
        avro.out(),
        containsString(
            "KMS endpoint: "
                + String.format("%,d", expectedCalls())
                + " ReEncrypt requests (0 throttled"));
    for (Path f :
        List.of(avroRun.resolve(ReKeyJob.REPORT_FILE), avroRun.resolve(ReKeyJob.LOG_FILE))) {
      assertThat(f + " holds a plaintext", Files.readString(f).contains("PLAINTEXT-"), is(false));
    }
    assertThat(avro.out().contains("PLAINTEXT-"), is(false));
  }

  @Test
  @Order(3)
  void replayThroughTheEndpoint_reKeysTheRecordWhoseKeyWasEnabledSince() {
    try (KmsAsyncClient admin = admin()) {
      admin.enableKey(b -> b.keyId(Samples.DISABLED_KEY)).join();
    }
    Path replay = dir.resolve("replay-run");
    List<String> args =
        new ArrayList<>(
            remoteArgs(samples.data("customers.avro"), replay, "--maxDeadLetterFraction=1"));
    args.set(0, "--replayDeadLetters=" + avroRun.resolve("dead-letter"));

    JobRun run = job(args);

    assertThat(run.out(), run.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(run.report().read(), is(4L));
    assertThat(run.report().written(), is(1L));
    assertThat(run.report().committedCountsMatch(), is(true));
    assertThat(Outputs.avro(replay).get(0).get("id").toString(), equalTo("bad-disabled-3"));
    try (KmsAsyncClient admin = admin()) {
      admin.disableKey(b -> b.keyId(Samples.DISABLED_KEY)).join();
    }
  }

  @Test
  @Order(5)
  void skipIfCurrent_learnsTheCurrentMaterialByDescribeKey_andSendsNoReEncrypt() {
    Path run = dir.resolve("skip-run");
    List<String> args =
        List.of(
            "--input=" + samples.data("rotation.avro"),
            "--output=" + run,
            "--kmsEndpoint=" + server.endpoint(),
            "--region=us-east-1",
            "--fields=" + Samples.FIELDS,
            "--destinationKeyId=" + Samples.ROTATING_KEY,
            "--sourceEncryptionContext=" + CONTEXT,
            "--destinationEncryptionContext=" + CONTEXT,
            "--skipIfCurrent");

    JobRun skip = job(args);

    assertThat(skip.out(), skip.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = skip.report();
    assertThat(r.counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT), is((long) Samples.SMALL_SET));
    assertThat(r.kmsRequests(), is(0L));
    assertThat(r.counter(ReKeyMetrics.KMS_DESCRIBE_CALLS), greaterThan(0L));
    assertThat(skip.out(), containsString("are current and would be skipped"));

    // After a rotation through the endpoint, the same run re-encrypts every field.
    try (KmsAsyncClient admin = admin()) {
      admin.rotateKeyOnDemand(b -> b.keyId(Samples.ROTATING_KEY)).join();
    }
    List<String> again = new ArrayList<>(args);
    again.set(1, "--output=" + dir.resolve("skip-run-2"));
    JobRun rotated = job(again);
    assertThat(rotated.out(), rotated.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(rotated.report().counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT), is(0L));
    assertThat(
        rotated.report().kmsRequests(),
        is(rotated.report().counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED)));
    assertThat(rotated.report().kmsRequests(), greaterThan(0L));
  }

  @Test
  @Order(7)
  void batchesOnFlink_sameOutcomes_anItemErrorDeadLettersOnlyItsRecord() throws IOException {
    Path run = dir.resolve("batch-run");

    // 204 records, several ciphertexts each, in batches of up to 50 items: the bad records' items
    // share their batches with good ones.
    JobRun batch = job(remoteArgs(samples.data("customers.avro"), run, "--kmsBatchSize=50"));

    assertThat(batch.out(), batch.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = batch.report();
    assertThat(r.read(), is(204L));
    assertThat(r.written(), is(200L));
    assertThat(r.committedCountsMatch(), is(true));
    assertThat(r.deadLettersByCode(), equalTo(Samples.badRecordsByCode()));
    Map<String, String> codes = new TreeMap<>();
    for (GenericRecord d : Outputs.avro(run.resolve("dead-letter"))) {
      codes.put(
          ((GenericRecord) d.get("record")).get("id").toString(), d.get("errorCode").toString());
    }
    assertThat(codes, equalTo(new TreeMap<>(Samples.BAD_RECORD_CODES)));
    Samples.Verified v = samples.verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(200L));
    // Every item is one ReEncrypt operation; the HTTP requests are the batches (and DescribeKey).
    assertThat(r.kmsRequests(), is(expectedCalls()));
    long http = r.counter(ReKeyMetrics.KMS_HTTP_REQUESTS);
    assertThat(http > 0 && http * 5 < expectedCalls(), is(true));
    assertThat(
        Files.readString(run.resolve(ReKeyJob.REPORT_FILE)).contains("PLAINTEXT-"), is(false));
  }

  @Test
  @Order(8)
  void skipIfCurrent_aBlobWithoutAQkmsHeader_isSent_andTheSummarySaysSo() throws IOException {
    // cust-0 as the samples have it, and a record whose card number is not a QKMS ciphertext (the
    // first bytes of an AWS KMS one): the job cannot tell its material, so it asks the endpoint.
    String good = Files.readAllLines(samples.data("customers.jsonl")).get(0);
    byte[] foreign = new byte[120];
    new java.util.Random(7).nextBytes(foreign);
    foreign[0] = 0x01;
    foreign[1] = 0x02;
    foreign[2] = 0x02;
    foreign[3] = 0x00;
    String opaque =
        good.replace("cust-0", "foreign-0")
            .replaceFirst(
                "\"number\":\"[^\"]*\"",
                "\"number\":\"" + java.util.Base64.getEncoder().encodeToString(foreign) + "\"");
    Path input = dir.resolve("foreign.jsonl");
    Files.writeString(input, good + "\n" + opaque + "\n");
    Path run = dir.resolve("foreign-run");

    JobRun r =
        job(
            remoteArgs(
                input,
                run,
                "--runner=DirectRunner",
                "--skipIfCurrent",
                // Neither record has items or a note.
                "--allowAbsentFields",
                "--maxDeadLetterFraction=1"));

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport report = r.report();
    assertThat(report.read(), is(2L));
    assertThat(report.written(), is(1L));
    // Sent, and refused by the endpoint: a blob it did not make.
    assertThat(report.deadLettersByCode(), equalTo(Map.of("InvalidCiphertextException", 1L)));
    assertThat(report.kmsRequests(), is(2L));
    assertThat(report.counter(ReKeyMetrics.FIELDS_WITHOUT_QKMS_HEADER), is(1L));
    assertThat(
        r.out(),
        containsString(
            "--skipIfCurrent: 1 ciphertexts have no QKMS header (AWS KMS ones, say): the job"
                + " cannot tell their material, so they were re-encrypted"));
  }

  @Test
  @Order(6)
  void estimateOnly_printsRecordsRequestsTimeAndCost_andWritesNothing_pacingItsDryRuns()
      throws IOException {
    Path run = dir.resolve("estimate-run");
    int budget = 200; // below what the endpoint answers here, so the pacing is what is seen

    Instant start = Instant.now();
    JobRun e =
        job(
            remoteArgs(
                samples.data("customers.avro"),
                run,
                "--estimateOnly",
                "--kmsMaxRequestsPerSecond=" + budget,
                "--kmsPricePer10k=0.03"));
    Instant end = Instant.now();

    assertThat(e.out(), e.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(e.outcome().report(), is((RunReport) null));
    assertThat(Files.exists(run), is(false));
    assertThat(e.out(), containsString("destination key " + Samples.NEW_KEY));
    assertThat(e.out(), containsString("enabled and symmetric"));
    assertThat(e.out(), containsString("rekey: estimate: 204 records, about "));
    assertThat(e.out(), containsString(" at " + budget + " requests/s, about $"));
    assertThat(e.out(), containsString("--estimateOnly: nothing was run or written"));
    assertThat(e.out(), not(containsString("QKMS re-key")));
    // The sampled records' DryRuns, several in flight, are sent no faster than the budget: the
    // endpoint's trail shows them spread over at least (n - 1) / budget seconds.
    List<Instant> dryRuns = new ArrayList<>();
    for (JsonNode line : auditLines()) {
      Instant t = Instant.parse(line.path("eventTime").asText());
      if (line.path("eventName").asText().equals("ReEncrypt")
          && line.at("/requestParameters/DryRun").asBoolean()
          && !t.isBefore(start)
          && !t.isAfter(end)) {
        dryRuns.add(t);
      }
    }
    assertThat(dryRuns.size(), greaterThan(100));
    java.time.Duration spread =
        java.time.Duration.between(
            dryRuns.stream().min(Instant::compareTo).orElseThrow(),
            dryRuns.stream().max(Instant::compareTo).orElseThrow());
    long pacedMillis = (dryRuns.size() - 1) * 1000L / budget;
    assertThat(
        dryRuns.size() + " DryRuns in " + spread,
        spread.toMillis(),
        greaterThanOrEqualTo(pacedMillis - 50));
  }

  /** Every line of the endpoint's audit trail so far. */
  private List<JsonNode> auditLines() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : AuditTrail.files(samples.keystore().resolve("audit"))) {
      for (String l : Files.readAllLines(f)) {
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }

  /** Records of the resumable runs' input: enough for several shards of some hundred each. */
  static final int RESUMABLE_RECORDS = 4_000;

  /**
   * A resumable run through the endpoint, on the Direct runner in a JVM of its own, SIGKILLed while
   * a worker holds the re-keyed records of a shard not yet committed, once half the shards are
   * committed ({@link io.qkms.pipeline.worker.Hold}); then resumed on Flink embedded, in this JVM.
   * (A launcher JVM on Flink embedded killed and resumed is {@link LauncherKilledResumeTest}'s: a
   * fresh JVM's Flink cluster costs tens of seconds that prove nothing more here.)
   */
  @Test
  @Order(9)
  void resumable_killedHalfWay_thenResumed_losesAndDuplicatesNothing_andSendsOnlyWhatWasLeft()
      throws Exception {
    Path input = samples.bench(RESUMABLE_RECORDS);
    Path out = dir.resolve("resumable-run");
    List<String> args =
        List.of(
            "--input=" + input,
            "--output=" + out,
            "--kmsEndpoint=" + server.endpoint(),
            "--region=us-east-1",
            "--fields=secret",
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--shardBytes=65536",
            "--progressSeconds=0");
    // 1: Direct runner, paced so that a shard takes a while: killed with half the shards done.
    List<String> first = new ArrayList<>(args);
    first.addAll(List.of("--resumable", "--runner=DirectRunner", "--kmsMaxRequestsPerSecond=1000"));
    Path gate = dir.resolve("hold");
    LauncherKilledResumeTest.Job one =
        LauncherKilledResumeTest.Job.start(
            first,
            out,
            gate,
            dir.resolve("resumable-attempt-1.log"),
            Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_PROFILE", "qkms"));
    int[] shards = {0};
    one.killWhenHeld(
        () -> {
          if (shards[0] == 0 && Files.exists(out.resolve("_manifest/run.json"))) {
            try {
              shards[0] = LauncherKilledResumeTest.shards(out);
            } catch (IOException e) {
              return -1; // being written
            }
          }
          return shards[0] > 0 && LauncherKilledResumeTest.entries(out) >= shards[0] / 2 ? 0 : -1;
        });
    int committedBefore = LauncherKilledResumeTest.entries(out);
    assertThat(shards[0], greaterThan(4));
    assertThat(committedBefore, greaterThan(0));
    assertThat(committedBefore < shards[0], is(true));

    // The endpoint and region are settings of the run; credentials are not in the manifest.
    JsonNode settings =
        JSON.readTree(out.resolve(Manifest.DIR).resolve(Manifest.RUN_FILE).toFile())
            .at("/body/settings");
    assertThat(settings.path("kmsEndpoint").asText(), equalTo(server.endpoint()));
    assertThat(settings.path("region").asText(), equalTo("us-east-1"));
    try (Stream<Path> files = Files.walk(out.resolve(Manifest.DIR))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        // Temporary record files of the held shard too: bytes, read as Latin-1.
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(f + " names the access key", text.contains(accessKey.accessKeyId()), is(false));
        assertThat(f + " holds the secret", text.contains(accessKey.secretAccessKey()), is(false));
      }
    }

    // 2: --resume on Flink embedded, to the end.
    List<String> again = new ArrayList<>(args);
    again.addAll(List.of("--resume", "--runner=FlinkRunner"));
    JobRun resumed = job(again);

    assertThat(resumed.out(), resumed.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(Files.exists(out.resolve(ReKeyJob.SUCCESS_FILE)), is(true));
    JsonNode report = JSON.readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
    assertThat(report.at("/run/resume.attempt").asInt(), is(2));
    assertThat(report.at("/run/resume.shards").asInt(), is(shards[0]));
    assertThat(report.at("/run/resume.shardsFromEarlierAttempts").asInt(), is(committedBefore));
    assertThat(report.at("/run/resume.shardsThisAttempt").asInt(), is(shards[0] - committedBefore));
    long earlierRecords = report.at("/run/resume.recordsFromEarlierAttempts").asLong();
    assertThat(earlierRecords, greaterThan(0L));
    assertThat(report.at("/records/read").asLong(), is((long) RESUMABLE_RECORDS));
    assertThat(report.at("/records/written").asLong(), is((long) RESUMABLE_RECORDS));
    assertThat(report.at("/records/deadLettered").asLong(), is(0L));
    assertThat(report.at("/records/reEncrypted").asLong(), is((long) RESUMABLE_RECORDS));
    assertThat(report.at("/checks/countsAddUp").asBoolean(), is(true));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(report.at("/committed/written").asLong(), is((long) RESUMABLE_RECORDS));
    // This attempt sent the records of the shards left, one ReEncrypt each, and no more.
    assertThat(resumed.report().kmsRequests(), is(RESUMABLE_RECORDS - earlierRecords));
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (GenericRecord r : Outputs.avro(out)) {
      assertThat("record " + r.get("id") + " twice", ids.add((Long) r.get("id")), is(true));
    }
    assertThat(ids.size(), is(RESUMABLE_RECORDS));
    // Every record under the new key (a decrypt that names the key fails for any other).
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      for (GenericRecord r : Outputs.avro(out)) {
        java.nio.ByteBuffer b = (java.nio.ByteBuffer) r.get("secret");
        byte[] blob = new byte[b.remaining()];
        b.duplicate().get(blob);
        assertThat(
            admin.decrypt(blob, Samples.NEW_KEY, Map.of(), Samples.US_EAST_1).isEmpty(), is(false));
      }
    }
    resumableRun = out;
    resumableArgs = args;
  }

  Path resumableRun;
  List<String> resumableArgs;

  @Test
  @Order(10)
  void resume_againstAnotherEndpointOrRegion_isRefused_namingTheSetting_andChangesNothing()
      throws IOException {
    Path out = resumableRun;
    Files.delete(out.resolve(ReKeyJob.SUCCESS_FILE)); // as if unfinished
    Map<String, String> before = ResumeTest.snapshot(out);
    String other = "http://127.0.0.1:9";
    for (String[] change :
        List.of(
            new String[] {"--kmsEndpoint=" + server.endpoint(), "--kmsEndpoint=" + other},
            new String[] {"--region=us-east-1", "--region=eu-west-1"})) {
      List<String> a = new ArrayList<>(resumableArgs);
      a.set(a.indexOf(change[0]), change[1]);
      a.addAll(List.of("--resume", "--runner=DirectRunner"));

      JobRun r = job(a);

      assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
      String setting = change[0].substring(2, change[0].indexOf('='));
      assertThat(
          r.out(),
          containsString(
              "was started with other settings: "
                  + setting
                  + " was '"
                  + change[0].substring(change[0].indexOf('=') + 1)
                  + "', is now '"
                  + change[1].substring(change[1].indexOf('=') + 1)
                  + "'"));
      assertThat(ResumeTest.snapshot(out), equalTo(before));
    }
  }

  /**
   * {@code selection.jsonl}: {@code {id, secret}} records, 12 secrets under {@value
   * Samples#OLD_KEY} ({@code old-N}) and 8 under {@value Samples#ROTATING_KEY} ({@code rot-N}),
   * encrypted through the endpoint; by id, the input's secrets.
   */
  Map<String, String> selectionInput(Path file) throws IOException {
    Map<String, String> secrets = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    try (KmsAsyncClient admin = admin()) {
      for (int i = 0; i < 20; i++) {
        String id = (i < 12 ? "old-" : "rot-") + i;
        String key = i < 12 ? Samples.OLD_KEY : Samples.ROTATING_KEY;
        String secret = encrypt(admin, key, id);
        secrets.put(id, secret);
        lines.add("{\"id\":\"" + id + "\",\"secret\":\"" + secret + "\"}");
      }
    }
    Files.write(file, lines);
    return secrets;
  }

  /** A new ciphertext under {@code key}, made through the endpoint, in base64. */
  static String encrypt(KmsAsyncClient admin, String key, String id) {
    byte[] blob =
        admin
            .encrypt(
                b ->
                    b.keyId(key)
                        .plaintext(
                            software.amazon.awssdk.core.SdkBytes.fromUtf8String("PLAINTEXT-" + id)))
            .join()
            .ciphertextBlob()
            .asByteArray();
    return java.util.Base64.getEncoder().encodeToString(blob);
  }

  @Test
  @Order(11)
  void onlySourceKeys_anAliasResolvedByTheEndpoint_reKeysOnlyItsBlobs_andPassesTheOthersThrough()
      throws IOException {
    Path input = dir.resolve("selection.jsonl");
    Map<String, String> secrets = selectionInput(input);
    Path out = dir.resolve("selection-run");

    JobRun run =
        job(
            List.of(
                "--input=" + input,
                "--output=" + out,
                "--kmsEndpoint=" + server.endpoint(),
                "--region=us-east-1",
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--onlySourceKeys=" + Samples.OLD_KEY,
                "--runner=DirectRunner"));

    assertThat(run.out(), run.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = run.report();
    assertThat(r.read(), is(20L));
    assertThat(r.written(), is(20L));
    assertThat(r.counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(12L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED), is(12L));
    assertThat(r.counter(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION), is(8L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_SKIPPED_BY_SELECTION), is(8L));
    assertThat(r.committedCountsMatch(), is(true));
    // A request for each selected blob, none for the others.
    assertThat(r.kmsRequests(), is(12L));
    assertThat(run.out(), containsString("8 not selected"));
    String newKeyId;
    try (KmsAsyncClient admin = admin()) {
      newKeyId = admin.describeKey(b -> b.keyId(Samples.NEW_KEY)).join().keyMetadata().keyId();
    }
    for (String line : Outputs.lines(out)) {
      JsonNode rec = JSON.readTree(line);
      String id = rec.get("id").asText();
      String secret = rec.get("secret").asText();
      if (id.startsWith("rot-")) {
        assertThat(id + " passed through byte for byte", secret, equalTo(secrets.get(id)));
      } else {
        byte[] blob = java.util.Base64.getDecoder().decode(secret);
        assertThat(id + " re-keyed", secret, not(equalTo(secrets.get(id))));
        assertThat(
            id + " under the new key",
            io.qkms.engine.KmsEngine.readCiphertextHeader(blob).keyId().value(),
            equalTo(newKeyId));
      }
    }
  }

  @Test
  @Order(12)
  void onlySourceKeys_anAliasTheEndpointDoesNotKnow_isAUsageError_namingIt_andWritesNothing()
      throws IOException {
    Path input = dir.resolve("selection.jsonl");
    Path out = dir.resolve("selection-unknown");

    JobRun run =
        job(
            List.of(
                "--input=" + input,
                "--output=" + out,
                "--kmsEndpoint=" + server.endpoint(),
                "--region=us-east-1",
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--onlySourceKeys=" + Samples.OLD_KEY + ",alias/no-such-key",
                "--runner=DirectRunner"));

    assertThat(run.out(), run.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(
        run.out(),
        containsString(
            "rekey: --onlySourceKeys: the key alias/no-such-key cannot be used: NotFoundException:"));
    assertThat(run.out(), containsString("(DescribeKey at --kmsEndpoint " + server.endpoint()));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  @Order(13)
  void onlyMaterialsCreatedBefore_theEndpointDatesTheMaterials_onlyTheOlderOnesAreReKeyed()
      throws Exception {
    // 6 blobs under the rotating key's material of now, a time, a rotation, 4 under the new one.
    Map<String, String> secrets = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    Instant between;
    try (KmsAsyncClient admin = admin()) {
      for (int i = 0; i < 6; i++) {
        secrets.put("early-" + i, encrypt(admin, Samples.ROTATING_KEY, "early-" + i));
      }
      Thread.sleep(20);
      between = Instant.now();
      Thread.sleep(20);
      admin.rotateKeyOnDemand(b -> b.keyId(Samples.ROTATING_KEY)).join();
      for (int i = 0; i < 4; i++) {
        secrets.put("late-" + i, encrypt(admin, Samples.ROTATING_KEY, "late-" + i));
      }
    }
    secrets.forEach((id, s) -> lines.add("{\"id\":\"" + id + "\",\"secret\":\"" + s + "\"}"));
    Path input = dir.resolve("materials.jsonl");
    Files.write(input, lines);
    Path out = dir.resolve("materials-run");

    JobRun run =
        job(
            List.of(
                "--input=" + input,
                "--output=" + out,
                "--kmsEndpoint=" + server.endpoint(),
                "--region=us-east-1",
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--onlyMaterialsCreatedBefore=" + between,
                "--runner=DirectRunner"));

    assertThat(run.out(), run.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport r = run.report();
    assertThat(r.read(), is(10L));
    assertThat(r.written(), is(10L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED), is(6L));
    assertThat(r.counter(ReKeyMetrics.FIELDS_SKIPPED_BY_SELECTION), is(4L));
    assertThat(r.counter(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION), is(4L));
    assertThat(r.kmsRequests(), is(6L));
    assertThat(r.committedCountsMatch(), is(true));
    for (String line : Outputs.lines(out)) {
      JsonNode rec = JSON.readTree(line);
      String id = rec.get("id").asText();
      String secret = rec.get("secret").asText();
      assertThat(
          id,
          secret.equals(secrets.get(id)),
          is(id.startsWith("late-"))); // the newer material's blobs pass through byte for byte
    }
  }
}
