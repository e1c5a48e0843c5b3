package io.qkms.pipeline.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Principal;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.QkmsServe;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.worker.EngineSpec;
import io.qkms.pipeline.worker.WorkerEngine;
import io.qkms.pipeline.worker.WorkerEngines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The transform as a library: validation, what each setting does, failures and retries. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReEncryptTransformTest {
  static final Schema SCHEMA =
      SchemaBuilder.record("R")
          .fields()
          .requiredString("id")
          .requiredBytes("secret")
          .requiredInt("n")
          .endRecord();

  @TempDir static Path dir;
  Samples samples;
  List<GenericRecord> records;

  @BeforeAll
  void samples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    records = new ArrayList<>();
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      for (int i = 0; i < 3; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", "r" + i);
        r.put("n", i);
        r.put("secret", ByteBuffer.wrap(admin.encrypt(Samples.OLD_KEY, "PLAINTEXT-" + i)));
        records.add(r);
      }
    }
  }

  static Pipeline direct() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  ReEncrypt.Records<GenericRecord> base() {
    return ReEncrypt.avroRecords()
        .withKeyStore(samples.keystore().toString())
        .withFields("secret")
        .withDestinationKeyId(Samples.NEW_KEY);
  }

  PCollection<GenericRecord> input(Pipeline p) {
    return p.apply(Create.of(records).withCoder(AvroCoder.of(SCHEMA)));
  }

  // ---- validation --------------------------------------------------------------------------

  @Test
  void displayData_showsKeysFieldsAndContexts_butNeverTheGrantTokens() {
    ReEncrypt.Records<GenericRecord> t =
        ReEncrypt.avroRecords()
            .withKeyStore("/data/qkms")
            .withFields("card.number", "items[].secret")
            .withDestinationKeyId("alias/payments-2026")
            .withSourceEncryptionContext(Map.of("tenant", "${tenant_id}"))
            .withGrantTokens(List.of("a-grant-token-value"));
    Map<String, Object> d = displayed(t);
    assertThat(d.get("fields"), equalTo("card.number,items[].secret"));
    assertThat(d.get("destinationKeyId"), equalTo("alias/payments-2026"));
    assertThat(d.get("sourceEncryptionContext"), equalTo("{\"tenant\":\"${tenant_id}\"}"));
    assertThat(d.get("grantTokens"), equalTo(1L));
    assertThat(DisplayData.from(t).toString(), not(containsString("a-grant-token-value")));
  }

  @Test
  void withX_returnsACopy_andLeavesTheOriginalAsItWas() {
    ReEncrypt.Records<GenericRecord> a = ReEncrypt.avroRecords().withKeyStore("/a");
    ReEncrypt.Records<GenericRecord> b = a.withRegion("eu-west-1");
    assertThat(displayed(a).containsKey("region"), is(false));
    assertThat(displayed(b).get("region"), equalTo("eu-west-1"));
  }

  /** The transform's display data items, by key. */
  static Map<String, Object> displayed(PTransform<?, ?> t) {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (DisplayData.Item i : DisplayData.from(t).items()) {
      out.put(i.getKey(), i.getValue());
    }
    return out;
  }

  /** A setting the builder refuses at once, with the message that names its setter. */
  static Stream<Arguments> refusedSettings() {
    return Stream.of(
        refused(
            "withCacheCapacity(0) is rejected naming the setter",
            () -> ReEncrypt.avroRecords().withCacheCapacity(0),
            "withCacheCapacity: must be at least 1, was 0"),
        refused(
            "withRegion of a malformed region is rejected",
            () -> ReEncrypt.avroRecords().withRegion("Mars"),
            "withRegion: a region looks like us-east-1, was Mars"),
        refused(
            "withMaxAttempts(0) is rejected",
            () -> ReEncrypt.jsonLines().withMaxAttempts(0),
            "withMaxAttempts: must be 1..100, was 0"),
        refused(
            "withSourceEncryptionContext with a malformed reference is rejected naming setter and"
                + " key",
            () -> ReEncrypt.jsonLines().withSourceEncryptionContext(Map.of("t", "${x")),
            "withSourceEncryptionContext: Context key 't': '${' without a closing '}' in"
                + " \"${x\""));
  }

  static Arguments refused(String behaviour, Executable setting, String message) {
    return Arguments.of(Named.of(behaviour, setting), message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSettings")
  void aSettingOutOfBounds_isRejectedAtOnce(Executable setting, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setting);
    assertThat(e.getMessage(), equalTo(message));
  }

  /** A transform that expand refuses, before anything runs, with its message. */
  Stream<Arguments> refusedTransforms() {
    return Stream.of(
        Arguments.of(
            Named.of(
                "without a key store, expand fails",
                ReEncrypt.avroRecords().withFields("secret").withDestinationKeyId("k")),
            "ReEncrypt: withKeyStore(...) or withKmsEndpoint(...) is required"),
        Arguments.of(
            Named.of(
                "a field without a destination key fails",
                ReEncrypt.avroRecords().withKeyStore("ks").withFields("secret")),
            "ReEncrypt: field secret has no destination key; use withDestinationKeyId(...)"),
        Arguments.of(
            Named.of("a field the schema lacks fails before running", base().withFields("missing")),
            "ReEncrypt: Field path missing: record R has no field missing"),
        Arguments.of(
            Named.of(
                "overlapping fields fail",
                ReEncrypt.avroRecords()
                    .withKeyStore("ks")
                    .withDestinationKeyId("k")
                    .withFields("a", "a.b")),
            "ReEncrypt: fields a and a.b overlap (one lies inside the other)"),
        Arguments.of(
            Named.of(
                "a context referring to a ciphertext field fails",
                base().withDestinationEncryptionContext(Map.of("k", "${secret}"))),
            "ReEncrypt: the context refers to ${secret}, which is a ciphertext field"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedTransforms")
  void expand_ofAnIncompleteOrInconsistentTransform_fails(
      ReEncrypt.Records<GenericRecord> transform, String message) {
    Pipeline p = direct();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> input(p).apply(transform));
    assertThat(e.getMessage(), equalTo(message));
  }

  @Test
  void avroRecords_onInputWithoutAvroCoder_fails() {
    Pipeline p = direct();
    PCollection<String> strings = p.apply(Create.of("x").withCoder(StringUtf8Coder.of()));
    @SuppressWarnings({"unchecked", "rawtypes"})
    PTransform<PCollection<String>, ?> t = (PTransform) base();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> strings.apply(t));
    assertThat(
        e.getMessage(),
        equalTo(
            "ReEncrypt.avroRecords(): the input needs an AvroCoder of GenericRecord, has"
                + " StringUtf8Coder"));
  }

  // ---- what the settings do ----------------------------------------------------------------

  static List<String> codes(Iterable<DeadLetter<GenericRecord>> failures) {
    List<String> out = new ArrayList<>();
    failures.forEach(f -> out.add(f.errorCode() + "@" + f.fieldPath()));
    return out;
  }

  @Test
  void settings_eachTakeEffect_sourceKeyRegionPrincipalGrantTokens() throws IOException {
    Pipeline p = direct();
    PCollection<GenericRecord> in = input(p);
    PAssert.that(in.apply("SourceKey", base().withSourceKeyId(Samples.NEW_KEY)).failures())
        .satisfies(f -> check(codes(f), "IncorrectKeyException@secret"));
    // In eu-west-1 the alias names no key.
    PAssert.that(in.apply("Region", base().withRegion("eu-west-1")).failures())
        .satisfies(f -> check(codes(f), "NotFoundException@secret"));
    // A user the default key policy does not name may do nothing.
    PAssert.that(
            in.apply("Principal", base().withPrincipal("arn:verenc:111122223333:user/nobody"))
                .failures())
        .satisfies(f -> check(codes(f), "AccessDeniedException@secret"));
    PAssert.that(in.apply("Grant", base().withGrantTokens(List.of("not-a-token"))).failures())
        .satisfies(f -> check(codes(f), "InvalidGrantTokenException@secret"));
    PAssert.that(in.apply("Fine", base()).failures()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void withKmsEndpoint_reEncryptsThroughARealQkmsServe_callByCallAndInBatches() throws IOException {
    Path credentials = dir.resolve("remote-credentials");
    QkmsServe.credentials(samples.keystore(), Principal.root(Samples.ACCOUNT), credentials);
    // The SDK's default chain reads these like AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE.
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.profile", "qkms");
    try (QkmsServe server = QkmsServe.start(samples.keystore(), List.of())) {
      ReEncrypt.Records<GenericRecord> remote =
          ReEncrypt.avroRecords()
              .withKmsEndpoint(server.endpoint())
              .withRegion("us-east-1")
              .withFields("secret")
              .withDestinationKeyId(Samples.NEW_KEY);
      Pipeline p = direct();
      PCollection<GenericRecord> in = input(p);
      ReEncrypt.Result<GenericRecord> plain = in.apply("Plain", remote);
      ReEncrypt.Result<GenericRecord> batched =
          in.apply("Batched", remote.withKmsBatchSize(2).withKmsMaxRequestsPerSecond(50));
      PAssert.that(plain.failures()).empty();
      PAssert.that(batched.failures()).empty();
      String samplesDir = dir.resolve("samples").toString();
      PAssert.that(plain.records()).satisfies(r -> underNewKey(samplesDir, r));
      PAssert.that(batched.records()).satisfies(r -> underNewKey(samplesDir, r));
      // The endpoint's error codes, as the embedded engine's.
      PAssert.that(in.apply("SourceKey", remote.withSourceKeyId(Samples.NEW_KEY)).failures())
          .satisfies(f -> check(codes(f), "IncorrectKeyException@secret"));
      p.run().waitUntilFinish();
    } finally {
      System.clearProperty("aws.sharedCredentialsFile");
      System.clearProperty("aws.profile");
    }
  }

  /** Each record's secret opens under the destination key to the plaintext it was made from. */
  private static Void underNewKey(String samplesDir, Iterable<GenericRecord> records) {
    List<String> plaintexts = new ArrayList<>();
    try (Outputs.Admin admin = new Outputs.Admin(Samples.at(Path.of(samplesDir)))) {
      for (GenericRecord r : records) {
        plaintexts.add(
            r.get("id")
                + "="
                + admin.decrypt(
                    Outputs.bytes(r.get("secret")), Samples.NEW_KEY, Map.of(), Samples.US_EAST_1));
      }
    }
    assertThat(
        plaintexts, containsInAnyOrder("r0=PLAINTEXT-0", "r1=PLAINTEXT-1", "r2=PLAINTEXT-2"));
    return null;
  }

  private static Void check(List<String> codes, String expected) {
    assertThat(codes, equalTo(List.of(expected, expected, expected)));
    return null;
  }

  @Test
  void badRecordErrorHandler_receivesEachFailure_asABadRecordWithCodeAndField() {
    Pipeline p = direct();
    PCollection<GenericRecord> in = input(p);
    BadRecordErrorHandler<PCollection<String>> handler =
        p.registerBadRecordErrorHandler(new Descriptions());
    in.apply(base().withSourceKeyId(Samples.NEW_KEY).withBadRecordErrorHandler(handler));
    handler.close();
    String d =
        "IncorrectKeyException at secret: The key ID in the request does not identify a CMK that"
            + " can perform this operation.";
    PAssert.that(handler.getOutput()).containsInAnyOrder(d, d, d);
    p.run().waitUntilFinish();
  }

  static final class Descriptions extends PTransform<PCollection<BadRecord>, PCollection<String>> {
    @Override
    public PCollection<String> expand(PCollection<BadRecord> input) {
      return input.apply(
          MapElements.into(TypeDescriptors.strings()).via(b -> b.getFailure().getDescription()));
    }
  }

  // ---- transient failures ------------------------------------------------------------------

  static final AtomicInteger SLEEPS = new AtomicInteger();
  static volatile byte[] goodStore;
  static volatile Path storeFile;

  /** Counts the waits; repairs the store on the first one when asked to. */
  record Sleeps(boolean repair) implements Backoff.Sleeper {
    @Override
    public void sleep(long millis) {
      SLEEPS.incrementAndGet();
      if (repair) {
        try {
          Files.write(storeFile, goodStore);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /**
   * A copy of the samples' key store for one test, so its worker engine is its own. A failed
   * Direct-runner pipeline does not always tear its DoFns down: threads still running after the
   * failure keep their engine lease and may fill that engine's key cache once the store is
   * repaired, which a later test on the same engine spec would then hit instead of the store.
   */
  private Path privateKeyStore() throws IOException {
    Path copy = dir.resolve("keystore-" + java.util.UUID.randomUUID());
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(samples.keystore())) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return copy;
  }

  /**
   * A damaged store file is KMSInternalException, a transient error: the worker engine is opened
   * first (the lease held here), then the file is damaged, so the first lookup fails.
   */
  private Map<String, Long> runWithDamagedStore(boolean repair) throws IOException {
    return withDamagedStore(
        keystore -> {
          Pipeline p = direct();
          ReEncrypt.Result<GenericRecord> r =
              input(p)
                  .apply(
                      base()
                          .withKeyStore(keystore)
                          .withCacheTtl(Duration.ofSeconds(61))
                          .withMaxAttempts(3)
                          .withSleeper(new Sleeps(repair)));
          if (!repair) {
            PAssert.that(r.failures())
                .satisfies(
                    f -> {
                      for (DeadLetter<GenericRecord> d : f) {
                        assertThat(d.errorCode(), equalTo("KMSInternalException"));
                        assertThat(d.attempts(), is(3));
                      }
                      return null;
                    });
          }
          PipelineResult result = p.run();
          result.waitUntilFinish();
          return ReKeyMetrics.settledCounters(result.metrics());
        });
  }

  @Test
  void transientError_isRetriedUpToMaxAttempts_thenDeadLettered() throws IOException {
    Map<String, Long> c = runWithDamagedStore(false);
    assertThat(c.get(ReKeyMetrics.FAILED_PREFIX + "KMSInternalException"), is(3L));
    assertThat(c.get(ReKeyMetrics.RETRIES), is(6L));
    assertThat(SLEEPS.get(), is(6));
  }

  @Test
  void transientError_thatClears_isNotDeadLettered() throws IOException {
    Map<String, Long> c = runWithDamagedStore(true);
    assertThat(c.get(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(3L));
    assertThat(c.getOrDefault(ReKeyMetrics.RECORDS_FAILED, 0L), is(0L));
    assertThat(c.get(ReKeyMetrics.RETRIES) >= 1L, is(true));
  }

  @Test
  void transientErrorsOnRecordAfterRecord_failTheWork_ratherThanDeadLetterTheRest()
      throws IOException {
    withDamagedStore(
        keystore -> {
          Pipeline p = direct();
          input(p)
              .apply(
                  base()
                      .withKeyStore(keystore)
                      .withCacheTtl(Duration.ofSeconds(61))
                      .withMaxAttempts(2)
                      .withOutageRecords(2)
                      .withSleeper(new Sleeps(false)));

          Pipeline.PipelineExecutionException e =
              assertThrows(
                  Pipeline.PipelineExecutionException.class, () -> p.run().waitUntilFinish());

          Throwable cause = e;
          while (!(cause instanceof IllegalStateException) && cause.getCause() != null) {
            cause = cause.getCause();
          }
          // At least the threshold: DoFn threads sharing the engine may each fail one more record
          // before one of them sees the count reach it.
          java.util.regex.Matcher m =
              java.util.regex.Pattern.compile(
                      "The QKMS engine failed (\\d+) records in a row after 2 attempts each:"
                          + " KMSInternalException: The key store is damaged: .*",
                      java.util.regex.Pattern.DOTALL)
                  .matcher(cause.getMessage());
          assertThat(cause.getMessage(), m.matches(), is(true));
          assertThat(Integer.parseInt(m.group(1)) >= 2, is(true));
          return null;
        });
  }

  /** What runs while the store is damaged, given the key store's directory. */
  @FunctionalInterface
  interface WhileDamaged<T> {
    T run(String keystore) throws IOException;
  }

  /**
   * Runs {@code body} over a private copy of the key store whose file is damaged once a worker
   * engine holds it (the lease held here), so that the first lookup fails; mends it afterwards.
   */
  private <T> T withDamagedStore(WhileDamaged<T> body) throws IOException {
    Path keystore = privateKeyStore();
    storeFile = keystore.resolve(FileKeyStore.STORE_FILE);
    goodStore = Files.readAllBytes(storeFile);
    SLEEPS.set(0);
    EngineSpec spec = EngineSpec.of(keystore.toString()).withCacheTtl(Duration.ofSeconds(61));
    try (WorkerEngine held = WorkerEngines.acquire(spec)) {
      Files.write(storeFile, new byte[] {1, 2, 3});
      return body.run(keystore.toString());
    } finally {
      Files.write(storeFile, goodStore);
    }
  }
}
