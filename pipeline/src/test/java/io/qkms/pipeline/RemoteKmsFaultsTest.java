package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsStringIgnoringCase;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.http.QkmsHttpServer;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.QkmsServe;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.remote.RemoteClients;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.kms.KmsAsyncClient;

/**
 * Bad settings and faults of a run through a KMS endpoint, each against a real {@code qkms serve}:
 * an endpoint that is not there, credentials it does not know, a caller without kms:ReEncryptTo
 * (all three refused before the run, exit 2, nothing written), and an endpoint killed with SIGKILL
 * mid-run and started again (the run completes, or says loudly it did not; nothing is lost). And a
 * caller whose only permission is a grant the endpoint does not see yet (the server serve runs, in
 * this JVM with a long key cache TTL): the run works with the grant's token, is refused without it
 * or with a bad one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class RemoteKmsFaultsTest {
  static final String ALICE = "arn:verenc:" + Samples.ACCOUNT.value() + ":user/alice";
  static final String BOB = "arn:verenc:" + Samples.ACCOUNT.value() + ":user/bob";
  static final int GRANTED_RECORDS = 40;
  // A quota low enough that even a slow, busy machine offers ten times as much: the job's budget.
  static final int QUOTA = 50;
  // Enough that the quota, not the bucket's first second, sets the pace: the bucket holds one
  // second's worth (QUOTA), so at most QUOTA of them go before the throttling begins and the run
  // takes at least (THROTTLED_RECORDS - QUOTA) / QUOTA s; its achieved rate is at most
  // THROTTLED_RECORDS / that = 300 / 5 = 60 a second, under the assertions' 1.3 * QUOTA.
  static final int THROTTLED_RECORDS = 300;
  // Enough that the kill lands mid-run: it comes once KILLED_AFTER records are done, and the
  // rest take at least (KILLED_RECORDS - KILLED_AFTER) / KILLED_BUDGET = 4 s of calls.
  static final int KILLED_RECORDS = 6_000;
  static final int KILLED_AFTER = 2_000;
  static final int KILLED_BUDGET = 1_000;

  Path dir;
  Samples samples;
  QkmsServe server;
  // The endpoint with a quota of QUOTA requests a second, started by the first test that needs it
  // and shared by the others (its bucket holds one second's worth, full again between tests).
  QkmsServe quota;
  Path rootCredentials;
  Path aliceCredentials;
  Path bobCredentials;
  Path strangerCredentials;

  @BeforeAll
  void setUp() throws IOException {
    dir = Files.createTempDirectory("qkms-remote-faults-");
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    // Alice may describe both keys and re-encrypt from the old one, but not to the new one.
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      admin.engine.putKeyPolicy(
          admin.caller(Samples.US_EAST_1),
          new PutKeyPolicyRequest(
              Samples.OLD_KEY,
              "default",
              policy("\"kms:ReEncryptFrom\", \"kms:DescribeKey\""),
              null));
      admin.engine.putKeyPolicy(
          admin.caller(Samples.US_EAST_1),
          new PutKeyPolicyRequest(Samples.NEW_KEY, "default", policy("\"kms:DescribeKey\""), null));
    }
    rootCredentials = dir.resolve("root-credentials");
    QkmsServe.credentials(samples.keystore(), Principal.root(Samples.ACCOUNT), rootCredentials);
    aliceCredentials = dir.resolve("alice-credentials");
    QkmsServe.credentials(samples.keystore(), Principal.parse(ALICE), aliceCredentials);
    bobCredentials = dir.resolve("bob-credentials");
    QkmsServe.credentials(samples.keystore(), Principal.parse(BOB), bobCredentials);
    strangerCredentials = dir.resolve("stranger-credentials");
    Files.writeString(
        strangerCredentials,
        "[qkms]\naws_access_key_id = AKIAQKMSUNKNOWN00001\n"
            + "aws_secret_access_key = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    samples.bench(KILLED_RECORDS);
    samples.bench(THROTTLED_RECORDS);
    samples.bench(GRANTED_RECORDS);
    server = QkmsServe.start(samples.keystore(), List.of());
  }

  /** The account root may do anything; Alice and Bob, the actions named. */
  private static String policy(String aliceActions) {
    return """
        {"Version": "2012-10-17", "Statement": [
          {"Effect": "Allow", "Principal": {"AWS": "arn:verenc:%s:root"}, "Action": "kms:*",
           "Resource": "*"},
          {"Effect": "Allow", "Principal": {"AWS": ["%s", "%s"]}, "Action": [%s],
           "Resource": "*"}]}
        """
        .formatted(Samples.ACCOUNT.value(), ALICE, BOB, aliceActions);
  }

  @AfterEach
  void noCredentials() {
    System.clearProperty("aws.sharedCredentialsFile");
    System.clearProperty("aws.profile");
  }

  @AfterAll
  void tearDown() throws IOException {
    if (server != null) {
      server.close();
    }
    if (quota != null) {
      quota.close();
    }
    TestDirs.deleteTree(dir);
    assertThat("KMS clients left open", RemoteClients.openClients(), is(0));
  }

  JobRun job(Path credentials, List<String> args) {
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.profile", "qkms");
    return JobRun.echoed(args);
  }

  List<String> customers(String endpoint, Path output) {
    return new ArrayList<>(
        List.of(
            "--input=" + samples.data("customers.avro"),
            "--output=" + output,
            "--kmsEndpoint=" + endpoint,
            "--region=us-east-1",
            "--fields=" + Samples.FIELDS,
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--sourceEncryptionContext=" + RemoteKmsEndToEndTest.CONTEXT,
            "--destinationEncryptionContext=" + RemoteKmsEndToEndTest.CONTEXT,
            "--runner=DirectRunner"));
  }

  @Test
  void endpointDownAtStart_isRefusedBeforeTheRun_exit2_nothingWritten() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Path out = dir.resolve("down");

    JobRun r = job(rootCredentials, customers("http://127.0.0.1:" + closed, out));

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(
        r.out(),
        containsString("rekey: --kmsEndpoint http://127.0.0.1:" + closed + " does not answer ("));
    // The JDK says "Connection refused", the AWS CRT "connection refused".
    assertThat(r.out(), containsStringIgnoringCase("connection refused"));
    assertThat(r.out(), containsString("start the endpoint, or check the URL"));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void unknownAccessKey_isRefusedBeforeTheRun_namingTheSdksError() {
    Path out = dir.resolve("stranger");

    JobRun r = job(strangerCredentials, customers(server.endpoint(), out));

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(
        r.out(),
        containsString(
            "rekey: --kmsEndpoint "
                + server.endpoint()
                + " refused the credentials: "
                + "UnrecognizedClientException: "));
    assertThat(r.out(), containsString("the AWS SDK's default chain"));
    assertThat(r.out().contains("aaaaaaaaaaaaaaaaaaaa"), is(false));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void callerWithoutReEncryptTo_isRefusedBeforeTheRun_namingTheKeyAndThePermission() {
    Path out = dir.resolve("alice");
    String newArn;
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      newArn = admin.arn(Samples.NEW_KEY, Region.of("us-east-1"));
    }

    JobRun r = job(aliceCredentials, customers(server.endpoint(), out));

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(r.out(), containsString("rekey: The caller may not re-encrypt field card.number"));
    assertThat(
        r.out(),
        containsString(
            "User: "
                + ALICE
                + " is not authorized to perform: kms:ReEncryptTo on resource: "
                + newArn));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void endpointKilledMidRunAndRestarted_theRunCompletesOrSaysSo_andNothingIsLost()
      throws Exception {
    Path out = dir.resolve("killed");
    Path input = samples.data("bench-" + KILLED_RECORDS + ".avro");
    List<String> args =
        List.of(
            "--input=" + input,
            "--output=" + out,
            "--kmsEndpoint=" + server.endpoint(),
            "--region=us-east-1",
            "--fields=secret",
            "--destinationKeyId=" + Samples.NEW_KEY,
            // At least 6 s of calls, so that the kill lands mid-run.
            "--kmsMaxRequestsPerSecond=" + KILLED_BUDGET,
            "--progressSeconds=1");
    CompletableFuture<JobRun> running =
        CompletableFuture.supplyAsync(() -> job(rootCredentials, args));
    // Kill the endpoint once the workers are well into the input, then start it again.
    Path log = out.resolve(ReKeyJob.LOG_FILE);
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline && !running.isDone() && !progressed(log)) {
      Thread.sleep(100);
    }
    assertThat("the run did not start processing", running.isDone(), is(false));
    server.kill();
    Thread.sleep(2_000);
    server.start();

    JobRun r = running.get();

    // Within the retries (up to 10 sends over about 20 s) the run completes; records whose
    // retries ran out first are transient dead letters (exit 5), which a replay re-keys.
    int exit = r.outcome().exitCode();
    assertThat(r.out(), exit, anyOf(is(ReKeyJob.EXIT_OK), is(5)));
    RunReport report = r.outcome().report();
    assertThat(report.read(), is((long) KILLED_RECORDS));
    assertThat(report.read(), is(report.written() + report.deadLettered()));
    assertThat(report.committedCountsMatch(), is(true));
    assertThat(report.deadLettered(), is(report.transientDeadLetters()));
    // Calls in flight when the endpoint died failed and were sent again; the report says so.
    assertThat(report.kmsFailed(), greaterThan(0L));
    assertThat(report.kmsRequests(), greaterThan((long) KILLED_RECORDS));
    assertThat(
        report.kmsRequests(),
        is(report.read() + report.kmsFailed() + report.kmsThrottled() - report.deadLettered()));
    assertThat(r.out(), containsString("failed: 5xx or no answer"));
    long written = report.written();
    if (exit == 5) {
      assertThat(r.out(), containsString("--replayDeadLetters="));
      Path replay = dir.resolve("killed-replay");
      List<String> again = new ArrayList<>(args);
      again.set(0, "--replayDeadLetters=" + out.resolve("dead-letter"));
      again.set(1, "--output=" + replay);
      JobRun rr = job(rootCredentials, again);
      assertThat(rr.out(), rr.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
      assertThat(rr.outcome().report().written(), is(report.deadLettered()));
      written += rr.outcome().report().written();
      assertDecryptUnderNewKey(replay);
    }
    assertThat(written, is((long) KILLED_RECORDS));
    assertDecryptUnderNewKey(out);
  }

  private void assertDecryptUnderNewKey(Path run) {
    assertDecryptUnder(run, Samples.NEW_KEY);
  }

  private void assertDecryptUnder(Path run, String keyId) {
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      // On every core (the engine is thread-safe): the killed run's check is 10,000 decrypts.
      Outputs.avro(run).parallelStream()
          .forEach(
              rec ->
                  // Throws unless the blob opens under the destination key.
                  admin.engine.decrypt(
                      admin.caller(Samples.US_EAST_1),
                      DecryptRequest.builder()
                          .ciphertextBlob(Outputs.bytes(rec.get("secret")))
                          .keyId(keyId)
                          .build()));
    }
  }

  /**
   * Bob may re-encrypt from the old key and describe a new key (their policies), but re-encrypt to
   * the new key only by a grant made elsewhere (another engine over the same store, as another node
   * of a fleet would) after the endpoint cached the key: until its key cache reloads the key, only
   * the grant's token makes the grant count, as with AWS KMS's eventual consistency. The endpoint
   * is the server {@code qkms serve} runs, here in this JVM with a key cache TTL of an hour: with
   * serve's 60 s, a busy machine can take longer than that to reach the job's checks, and the grant
   * would count without its token.
   */
  @Test
  void aGrantTheEndpointDoesNotSeeYet_worksWithItsToken_isRefusedWithoutIt_orWithABadOne()
      throws Exception {
    try (FleetNode node = new FleetNode(samples.keystore())) {
      String keyArn;
      try (KmsAsyncClient root = client(node.endpoint(), rootCredentials)) {
        keyArn =
            root.createKey(
                    b -> b.description("granted destination").policy(policy("\"kms:DescribeKey\"")))
                .join()
                .keyMetadata()
                .arn();
        // A data-path call caches the key, without any grant (DescribeKey reads the store).
        String created = keyArn;
        root.encrypt(b -> b.keyId(created).plaintext(SdkBytes.fromUtf8String("warm"))).join();
      }
      String token;
      try (Outputs.Admin admin = new Outputs.Admin(samples)) {
        token =
            admin
                .engine
                .createGrant(
                    admin.caller(Samples.US_EAST_1),
                    CreateGrantRequest.builder()
                        .keyId(keyArn)
                        .granteePrincipal(BOB)
                        .operations(List.of("ReEncryptTo"))
                        .build())
                .grantToken();
      }
      List<String> args =
          List.of(
              "--input=" + samples.data("bench-" + GRANTED_RECORDS + ".avro"),
              "--kmsEndpoint=" + node.endpoint(),
              "--region=us-east-1",
              "--fields=secret",
              "--destinationKeyId=" + keyArn,
              "--runner=DirectRunner");

      Path without = dir.resolve("grant-without-token");
      JobRun refused = job(bobCredentials, with(args, "--output=" + without));

      assertThat(refused.out(), refused.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
      assertThat(
          refused.out(),
          containsString(
              "User: "
                  + BOB
                  + " is not authorized to perform: kms:ReEncryptTo on resource: "
                  + keyArn));
      assertThat(Files.exists(without), is(false));

      Path garbage = dir.resolve("grant-garbage-token");
      JobRun bad =
          job(bobCredentials, with(args, "--output=" + garbage, "--grantTokens=not-a-token"));

      assertThat(bad.out(), bad.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
      assertThat(
          bad.out(),
          containsString(
              "rekey: --grantTokens: --kmsEndpoint "
                  + node.endpoint()
                  + " refused a grant token: InvalidGrantTokenException: The grant token is not"
                  + " valid."));
      assertThat(bad.out().contains("not-a-token"), is(false));
      assertThat(Files.exists(garbage), is(false));

      Path granted = dir.resolve("grant-with-token");
      JobRun r = job(bobCredentials, with(args, "--output=" + granted, "--grantTokens=" + token));

      assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
      RunReport report = r.outcome().report();
      assertThat(report.read(), is((long) GRANTED_RECORDS));
      assertThat(report.written(), is((long) GRANTED_RECORDS));
      assertThat(report.read(), is(report.written() + report.deadLettered()));
      assertThat(report.committedCountsMatch(), is(true));
      assertThat(r.out().contains(token), is(false));
      assertThat(
          Files.readString(granted.resolve(ReKeyJob.REPORT_FILE)).contains(token), is(false));
      assertDecryptUnder(granted, keyArn);
    }
  }

  /** The server of {@code qkms serve} over the test's store, in this JVM, with a long key TTL. */
  static final class FleetNode implements AutoCloseable {
    final FileKeyStore store;
    final KmsEngine engine;
    final QkmsHttpServer server;

    FleetNode(Path keystore) throws Exception {
      store =
          FileKeyStore.open(
              keystore,
              new RootKeySource.KeyFile(keystore.resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
              FileKeyStore.Mode.READ_WRITE);
      engine =
          KmsEngine.builder()
              .keyStore(store)
              .cacheConfig(KeyCacheConfig.builder().ttl(Duration.ofHours(1)).build())
              .build();
      server = QkmsHttpServer.builder().engine(engine).host("127.0.0.1").port(0).build().start();
    }

    String endpoint() {
      return server.endpoint().toString();
    }

    @Override
    public void close() throws Exception {
      server.close();
      engine.close();
      store.close();
    }
  }

  private static List<String> with(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all;
  }

  private static KmsAsyncClient client(String endpoint, Path credentials) {
    return KmsAsyncClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(
            ProfileCredentialsProvider.builder()
                .profileFile(
                    ProfileFile.builder()
                        .content(credentials)
                        .type(ProfileFile.Type.CREDENTIALS)
                        .build())
                .profileName("qkms")
                .build())
        .build();
  }

  /**
   * The bench records through the throttling endpoint, the job's budget ten times what it takes,
   * with {@code extra} options.
   */
  private JobRun throttledRun(Path out, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--input=" + samples.data("bench-" + THROTTLED_RECORDS + ".avro"),
                "--output=" + out,
                "--kmsEndpoint=" + quota().endpoint(),
                "--region=us-east-1",
                "--fields=secret",
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--kmsMaxRequestsPerSecond=" + 10 * QUOTA));
    args.addAll(List.of(extra));
    return job(rootCredentials, args);
  }

  /**
   * Every bench record written, none dead-lettered, some calls throttled; only what was throttled
   * or got no answer (a dropped connection on a busy machine, counted as failed) went again, so
   * each record's call or batch item was accepted once; and the endpoint's quota, not the job's
   * budget, set the pace.
   */
  private static void assertEveryRecordAcceptedOnce_atTheQuotasPace(RunReport report) {
    assertThat(report.read(), is((long) THROTTLED_RECORDS));
    assertThat(report.written(), is((long) THROTTLED_RECORDS));
    assertThat(report.deadLettered(), is(0L));
    assertThat(report.committedCountsMatch(), is(true));
    assertThat(report.kmsThrottled(), greaterThan(0L));
    assertThat(
        report.kmsRequests(), is(THROTTLED_RECORDS + report.kmsThrottled() + report.kmsFailed()));
    assertThat(report.kmsAchievedRequestsPerSecond() < QUOTA * 1.3, is(true));
  }

  @Test
  void throttledAtATenthOfTheOfferedRate_theRunCompletes_nothingLost_throttledTimeReported()
      throws IOException {
    Path out = dir.resolve("throttled");
    JobRun r = throttledRun(out);

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    RunReport report = r.outcome().report();
    assertEveryRecordAcceptedOnce_atTheQuotasPace(report);
    assertThat(report.kmsThrottledSeconds() > 0, is(true));
    assertThat(r.out(), containsString(String.format("(%,d throttled, ", report.kmsThrottled())));
    assertDecryptUnderNewKey(out);
  }

  @Test
  void batchesThrottledItemByItem_theThrottledItemsAreSentAgain_nothingLost() throws IOException {
    Path out = dir.resolve("throttled-batches");
    JobRun r = throttledRun(out, "--kmsBatchSize=20"); // each item counts against both rates

    assertThat(r.out(), r.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    assertEveryRecordAcceptedOnce_atTheQuotasPace(r.outcome().report());
    assertDecryptUnderNewKey(out);
  }

  @Test
  void throttledBeyondTheRetryBudget_transientDeadLetters_exit5_andTheReplayReKeysThem()
      throws IOException {
    Path out = dir.resolve("throttle-budget");
    // The quota any machine offers ten times over (the job has no budget here); the replay goes
    // to the unlimited endpoint.
    List<String> args = new ArrayList<>(customers(quota().endpoint(), out));
    args.add("--kmsMaxThrottledRetries=0");
    args.add("--maxDeadLetterFraction=1");
    JobRun r = job(rootCredentials, args);

    assertThat(r.out(), r.outcome().exitCode(), is(5));
    RunReport report = r.outcome().report();
    long throttledAway =
        report.transientDeadLettersByCode().getOrDefault("ThrottlingException", 0L);
    assertThat(throttledAway, greaterThan(0L));
    assertThat(report.read(), is(report.written() + report.deadLettered()));
    assertThat(report.committedCountsMatch(), is(true));
    assertThat(r.out(), containsString("--replayDeadLetters=" + out.resolve("dead-letter")));

    Path replay = dir.resolve("throttle-budget-replay");
    List<String> again = new ArrayList<>(customers(server.endpoint(), replay));
    again.set(0, "--replayDeadLetters=" + out.resolve("dead-letter"));
    again.add("--maxDeadLetterFraction=1");
    JobRun rr = job(rootCredentials, again);

    assertThat(rr.out(), rr.outcome().exitCode(), is(ReKeyJob.EXIT_OK));
    // The replay re-keys every record the throttling dead-lettered; the bad ones stay bad.
    assertThat(report.written() + rr.outcome().report().written(), is((long) Samples.CUSTOMERS));
    assertThat(rr.outcome().report().transientDeadLetters(), is(0L));
  }

  QkmsServe quota() throws IOException {
    if (quota == null) {
      quota =
          QkmsServe.start(
              samples.keystore(), List.of("--max-requests-per-second", String.valueOf(QUOTA)));
    }
    return quota;
  }

  private static boolean progressed(Path log) throws IOException {
    if (!Files.exists(log)) {
      return false;
    }
    // Progress lines: "qkms rekey <run>: N records in S s (...)"; KILLED_AFTER done.
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      int i = line.indexOf(": ");
      if (line.contains("qkms rekey ") && line.contains(" records in ") && i > 0) {
        String n =
            line.substring(line.indexOf(": ", line.indexOf("qkms rekey ")) + 2).split(" ")[0];
        if (Long.parseLong(n.replace(",", "")) >= KILLED_AFTER) {
          return true;
        }
      }
    }
    return false;
  }
}
