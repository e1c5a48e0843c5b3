package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.http.QkmsHttpServer;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.worker.WorkerEngines;
import io.qkms.samples.data.SampleData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;

/**
 * Envelope-encrypted records, for real: documents encrypted by Tink's {@code KmsEnvelopeAead} over
 * a remote AEAD that calls the QKMS HTTP endpoint (the server {@code qkms serve} runs, over the
 * fixture's key store) through the AWS SDK's KMS client, and data keys from GenerateDataKey kept in
 * a column of their own. The job re-keys both ({@code tink-envelope}, {@code edk-column}); Tink
 * then decrypts every document with the new key to the same bytes, the envelopes' bodies are
 * unchanged byte for byte, and the data keys decrypt to the same keys. Envelopes with a wrong
 * length prefix, a cut-off key or a data key that is not QKMS's are dead-lettered. The same with a
 * key store and through the same endpoint ({@code --kmsEndpoint}, one call a field or in batches),
 * where only the envelopes' encrypted data keys are sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvelopeRecordsTest {
  static final int DOCUMENTS = 20;
  static final Schema SCHEMA =
      SchemaBuilder.record("Document")
          .namespace("io.qkms.samples")
          .fields()
          .requiredString("id")
          .requiredBytes("document")
          .requiredBytes("dataKey")
          .endRecord();

  @TempDir static Path dir;
  Samples samples;
  KmsEngine serverEngine;
  FileKeyStore serverStore;
  QkmsHttpServer server;
  KmsClient kms;
  Path credentials;
  final Map<String, ReKeyJob.Outcome> remoteRuns = new LinkedHashMap<>();
  final Map<String, byte[]> plaintexts = new LinkedHashMap<>();
  final Map<String, byte[]> envelopes = new LinkedHashMap<>();
  final Map<String, byte[]> dataKeys = new LinkedHashMap<>();
  ReKeyJob.Outcome outcome;
  String printedByTheRun;
  String printed;

  /** Tink's remote AEAD over KMS Encrypt and Decrypt, as Tink's own AWS KMS client does it. */
  record QkmsAead(KmsClient kms, String keyId) implements Aead {
    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
      return kms.encrypt(b -> b.keyId(keyId).plaintext(SdkBytes.fromByteArray(plaintext)))
          .ciphertextBlob()
          .asByteArray();
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
      return kms.decrypt(b -> b.keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(ciphertext)))
          .plaintext()
          .asByteArray();
    }
  }

  static Aead envelope(KmsClient kms, String keyId) throws GeneralSecurityException {
    return KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, new QkmsAead(kms, keyId));
  }

  @BeforeAll
  void encryptWithTink_thenReKey() throws Exception {
    AeadConfig.register();
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    serverStore =
        FileKeyStore.open(
            samples.keystore(),
            new RootKeySource.KeyFile(
                samples.keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
            FileKeyStore.Mode.READ_WRITE);
    serverEngine = KmsEngine.builder().keyStore(serverStore).build();
    NewAccessKey key = AccessKeys.of(serverStore).create(Principal.root(Samples.ACCOUNT));
    credentials = dir.resolve("credentials");
    CredentialsFile.write(
        credentials, CredentialsFile.PROFILE, key.accessKeyId(), key.secretAccessKey());
    server =
        QkmsHttpServer.builder().engine(serverEngine).host("127.0.0.1").port(0).build().start();
    kms =
        KmsClient.builder()
            .endpointOverride(server.endpoint())
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();

    Aead old = envelope(kms, Samples.OLD_KEY);
    SecureRandom random = new SecureRandom();
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < DOCUMENTS; i++) {
      String id = "doc-" + i;
      byte[] plaintext = ("document " + i + " ").repeat(10 + i).getBytes(StandardCharsets.UTF_8);
      byte[] ciphertext = old.encrypt(plaintext, id.getBytes(StandardCharsets.UTF_8));
      GenerateDataKeyResponse dk =
          kms.generateDataKey(b -> b.keyId(Samples.OLD_KEY).keySpec(DataKeySpec.AES_256));
      plaintexts.put(id, plaintext);
      envelopes.put(id, ciphertext);
      dataKeys.put(id, dk.plaintext().asByteArray());
      records.add(record(id, ciphertext, dk.ciphertextBlob().asByteArray()));
    }
    byte[] good = envelopes.get("doc-0");
    byte[] goodKey = records.get(0).get("dataKey") instanceof ByteBuffer b ? bytes(b) : null;
    // A length prefix larger than the blob.
    byte[] wrongPrefix = good.clone();
    ByteBuffer.wrap(wrongPrefix).putInt(good.length + 100);
    records.add(record("bad-prefix", wrongPrefix, goodKey));
    // Cut off inside the encrypted data key.
    records.add(record("bad-truncated", Arrays.copyOf(good, 40), goodKey));
    // A well-formed envelope whose data key is not a QKMS ciphertext.
    byte[] notQkms = new byte[120];
    random.nextBytes(notQkms);
    ByteBuffer.wrap(notQkms).putInt(60);
    records.add(record("bad-not-qkms", notQkms, goodKey));
    Path input = dir.resolve("documents.avro");
    SampleData.writeAvro(input, SCHEMA, records);

    Path spec =
        spec(
            "envelopes.yaml",
            "  - path: document",
            "    encoding: tink-envelope",
            "  - path: dataKey",
            "    encoding: edk-column");
    outcome =
        job(
            "--input=" + input,
            "--output=" + dir.resolve("run"),
            "--keystore=" + samples.keystore(),
            "--spec=" + spec,
            "--maxDeadLetterFraction=0.5",
            "--runner=DirectRunner");
    printedByTheRun = printed;
  }

  @AfterAll
  void stop() throws Exception {
    if (kms != null) {
      kms.close();
      server.close();
      serverEngine.close();
      serverStore.close();
    }
    assertThat(WorkerEngines.openEnginesUnder(dir), is(0));
  }

  /**
   * The envelope run again through the endpoint the documents were encrypted with, signed with the
   * root's access key from the SDK's default chain; each run once, by name.
   */
  ReKeyJob.Outcome remote(String name, String... more) {
    return remoteRuns.computeIfAbsent(
        name,
        n -> {
          List<String> args =
              new ArrayList<>(
                  List.of(
                      "--input=" + dir.resolve("documents.avro"),
                      "--output=" + dir.resolve(n),
                      "--kmsEndpoint=" + server.endpoint(),
                      "--region=us-east-1",
                      "--spec=" + dir.resolve("envelopes.yaml"),
                      "--maxDeadLetterFraction=0.5",
                      "--runner=DirectRunner"));
          args.addAll(List.of(more));
          return remoteJob(args);
        });
  }

  /** A run through the endpoint, with the root's credentials file as the SDK's default chain. */
  ReKeyJob.Outcome remoteJob(List<String> args) {
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.profile", CredentialsFile.PROFILE);
    try {
      return job(args.toArray(new String[0]));
    } finally {
      System.clearProperty("aws.sharedCredentialsFile");
      System.clearProperty("aws.profile");
    }
  }

  ReKeyJob.Outcome job(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    ReKeyJob.Outcome o = ReKeyJob.run(args, ps, ps);
    printed = out.toString(StandardCharsets.UTF_8);
    System.out.print(printed);
    return o;
  }

  /** A job spec in {@code dir/name}: to the new key, with these lines under {@code fields:}. */
  static Path spec(String name, String... fieldLines) throws IOException {
    List<String> lines =
        new ArrayList<>(List.of("destinationKeyId: " + Samples.NEW_KEY, "fields:"));
    lines.addAll(List.of(fieldLines));
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  static GenericRecord record(String id, byte[] document, byte[] dataKey) {
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("id", id);
    r.put("document", ByteBuffer.wrap(document));
    r.put("dataKey", ByteBuffer.wrap(dataKey));
    return r;
  }

  static byte[] bytes(ByteBuffer b) {
    return Outputs.bytes(b);
  }

  Map<String, GenericRecord> output() {
    return output("run");
  }

  Map<String, GenericRecord> output(String run) {
    Map<String, GenericRecord> byId = new LinkedHashMap<>();
    for (GenericRecord r : Outputs.avro(dir.resolve(run))) {
      byId.put(r.get("id").toString(), r);
    }
    return byId;
  }

  @Test
  void theRun_succeeds_andEveryRecordIsWrittenOrDeadLettered() {
    assertThat(printedByTheRun, outcome.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(
        outcome.report().committed(),
        equalTo(new RunReport.Committed(DOCUMENTS + 3, DOCUMENTS, 3)));
    assertThat(outcome.report().countsAddUp(), is(true));
  }

  @Test
  void tinkDecryptsEveryReKeyedDocument_withTheNewKeyOnly_toTheSameBytes() throws Exception {
    assertTinkDecryptsEveryDocument_withTheNewKeyOnly("run");
  }

  void assertTinkDecryptsEveryDocument_withTheNewKeyOnly(String run) throws Exception {
    Aead renewed = envelope(kms, Samples.NEW_KEY);
    Aead old = envelope(kms, Samples.OLD_KEY);
    Map<String, GenericRecord> out = output(run);
    assertThat(out.keySet(), equalTo(plaintexts.keySet()));
    for (Map.Entry<String, byte[]> e : plaintexts.entrySet()) {
      byte[] document = bytes((ByteBuffer) out.get(e.getKey()).get("document"));
      byte[] ad = e.getKey().getBytes(StandardCharsets.UTF_8);
      assertThat(e.getKey(), Arrays.equals(renewed.decrypt(document, ad), e.getValue()), is(true));
      assertThrows(IncorrectKeyException.class, () -> old.decrypt(document, ad));
    }
  }

  @Test
  void theEnvelopesBody_isCopiedByteForByte_andOnlyTheDataKeyChanges() {
    assertBodiesCopied_andOnlyTheDataKeysChanged("run");
  }

  void assertBodiesCopied_andOnlyTheDataKeysChanged(String run) {
    Map<String, GenericRecord> out = output(run);
    for (Map.Entry<String, byte[]> e : envelopes.entrySet()) {
      byte[] before = e.getValue();
      byte[] after = bytes((ByteBuffer) out.get(e.getKey()).get("document"));
      int keyBefore = ByteBuffer.wrap(before).getInt();
      int keyAfter = ByteBuffer.wrap(after).getInt();
      byte[] bodyBefore = Arrays.copyOfRange(before, 4 + keyBefore, before.length);
      byte[] bodyAfter = Arrays.copyOfRange(after, 4 + keyAfter, after.length);
      assertThat(e.getKey(), Arrays.equals(bodyAfter, bodyBefore), is(true));
      assertThat(
          e.getKey(),
          Arrays.equals(
              Arrays.copyOfRange(after, 4, 4 + keyAfter),
              Arrays.copyOfRange(before, 4, 4 + keyBefore)),
          is(false));
    }
  }

  @Test
  void theDataKeyColumn_decryptsUnderTheNewKey_toTheSameDataKey() {
    assertDataKeysDecryptUnderTheNewKey("run");
  }

  void assertDataKeysDecryptUnderTheNewKey(String run) {
    Map<String, GenericRecord> out = output(run);
    for (Map.Entry<String, byte[]> e : dataKeys.entrySet()) {
      byte[] edk = bytes((ByteBuffer) out.get(e.getKey()).get("dataKey"));
      byte[] plain =
          kms.decrypt(b -> b.keyId(Samples.NEW_KEY).ciphertextBlob(SdkBytes.fromByteArray(edk)))
              .plaintext()
              .asByteArray();
      assertThat(e.getKey(), Arrays.equals(plain, e.getValue()), is(true));
    }
  }

  @Test
  void malformedEnvelopes_andDataKeysThatAreNotQkms_areDeadLettered() {
    assertBadEnvelopesDeadLettered("run", outcome);
  }

  void assertBadEnvelopesDeadLettered(String run, ReKeyJob.Outcome o) {
    assertThat(
        o.report().deadLettersByCode(),
        equalTo(Map.of(ErrorCodes.MALFORMED_ENVELOPE, 2L, ErrorCodes.INVALID_CIPHERTEXT, 1L)));
    List<GenericRecord> dead = Outputs.avro(dir.resolve(run).resolve("dead-letter"));
    assertThat(dead.size(), is(3));
    assertThat(dead.toString(), containsString("bad-prefix"));
    assertThat(dead.toString(), containsString("bad-truncated"));
    assertThat(dead.toString(), containsString("bad-not-qkms"));
  }

  @Test
  void throughAKmsEndpoint_onlyTheDataKeysAreSent_andTinkDecryptsEveryDocumentWithTheNewKey()
      throws Exception {
    ReKeyJob.Outcome o = remote("remote");

    assertThat(printed, o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(
        o.report().committed(), equalTo(new RunReport.Committed(DOCUMENTS + 3, DOCUMENTS, 3)));
    assertThat(o.report().countsAddUp(), is(true));
    // Per good record its document's data key and its data-key column; bad-not-qkms sends both
    // too (its data key is refused); the malformed envelopes send nothing.
    assertThat(o.report().kmsRequests(), is(2L * DOCUMENTS + 2));
    assertTinkDecryptsEveryDocument_withTheNewKeyOnly("remote");
    assertBodiesCopied_andOnlyTheDataKeysChanged("remote");
    assertDataKeysDecryptUnderTheNewKey("remote");
    assertBadEnvelopesDeadLettered("remote", o);
  }

  @Test
  void throughAKmsEndpointInBatches_aMalformedOrForeignEnvelope_failsOnlyItsOwnRecord()
      throws Exception {
    // Batches of 4 items: the bad records fall among good ones.
    ReKeyJob.Outcome o = remote("remote-batches", "--kmsBatchSize=4");

    assertThat(printed, o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(
        o.report().committed(), equalTo(new RunReport.Committed(DOCUMENTS + 3, DOCUMENTS, 3)));
    assertThat(o.report().kmsRequests(), is(2L * DOCUMENTS + 2));
    assertThat(
        o.report().counter(ReKeyMetrics.KMS_HTTP_REQUESTS) < o.report().kmsRequests(), is(true));
    assertTinkDecryptsEveryDocument_withTheNewKeyOnly("remote-batches");
    assertBodiesCopied_andOnlyTheDataKeysChanged("remote-batches");
    assertBadEnvelopesDeadLettered("remote-batches", o);
  }

  @Test
  void throughAKmsEndpoint_skipIfCurrent_readsTheEnvelopesDataKeyHeader_andSendsNothing() {
    remote("remote");
    ReKeyJob.Outcome o =
        remoteJob(
            List.of(
                "--input=" + dir.resolve("remote"),
                "--output=" + dir.resolve("remote-skip"),
                "--kmsEndpoint=" + server.endpoint(),
                "--region=us-east-1",
                "--spec=" + dir.resolve("envelopes.yaml"),
                "--skipIfCurrent",
                "--runner=DirectRunner"));

    assertThat(printed, o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().written(), is((long) DOCUMENTS));
    assertThat(o.report().counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT), is((long) DOCUMENTS));
    assertThat(o.report().kmsRequests(), is(0L));
  }

  @Test
  void anUnknownFieldEncoding_isRefusedBeforeWriting() {
    ReKeyJob.Outcome o =
        job(
            "--input=" + dir.resolve("documents.avro"),
            "--output=" + dir.resolve("run-unknown"),
            "--keystore=" + samples.keystore(),
            "--fields=document",
            "--fieldEncoding=tink",
            "--destinationKeyId=" + Samples.NEW_KEY,
            "--runner=DirectRunner");
    assertThat(o.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(printed, containsString("--fieldEncoding: unknown field encoding 'tink'"));
    assertThat(printed, containsString("tink-envelope"));
    assertThat(Files.exists(dir.resolve("run-unknown")), is(false));
  }

  @Test
  void anEnvelopeFieldWithAContextOfItsOwn_isRefusedBeforeWriting() throws IOException {
    Path spec =
        spec(
            "context.yaml",
            "  - path: document",
            "    encoding: tink-envelope",
            "    sourceEncryptionContext: {tenant: a}");
    ReKeyJob.Outcome o =
        job(
            "--input=" + dir.resolve("documents.avro"),
            "--output=" + dir.resolve("run-context"),
            "--keystore=" + samples.keystore(),
            "--spec=" + spec,
            "--runner=DirectRunner");
    assertThat(o.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(printed, containsString("Field document is a tink-envelope"));
    assertThat(printed, not(containsString("Exception")));
    assertThat(Files.exists(dir.resolve("run-context")), is(false));
  }

  @Test
  void noPlaintextOfADocumentOrDataKey_reachesTheReportOrTheLog() throws IOException {
    String report = Files.readString(dir.resolve("run").resolve(ReKeyJob.REPORT_FILE));
    String log = Files.readString(dir.resolve("run").resolve(ReKeyJob.LOG_FILE));
    for (String text : List.of(report, log, printedByTheRun)) {
      assertThat(text, not(containsString("document 1 ")));
    }
    assertThat(report, containsString("document tink-envelope, dataKey edk-column"));
  }
}
