package io.qkms.pipeline.testing;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;

/**
 * The pipeline tests' fixture: a file key store with the keys the tests name and the data sets they
 * read, encrypted now by the engine. The samples module makes the same kind of data for users
 * ({@code scripts/samples}), but it depends on the pipeline, so the pipeline's tests have their
 * own, smaller set: one region, no multi-Region key, Avro output checks only.
 */
public final class Samples {
  public static final AccountId ACCOUNT = AccountId.of("111122223333");
  public static final Region US_EAST_1 = Region.of("us-east-1");

  /** A second region of the store, without keys. */
  public static final Region EU_WEST_1 = Region.of("eu-west-1");

  public static final String OLD_KEY = "alias/sample-old";
  public static final String NEW_KEY = "alias/sample-new";
  public static final String DISABLED_KEY = "alias/sample-disabled";
  public static final String ROTATING_KEY = "alias/sample-rotating";

  /** The ciphertext fields of the customer data sets. */
  public static final String FIELDS = "card.number,items[].secret,note";

  /** The customer records' encryption context: each record's own tenant. */
  public static final String TENANT_CONTEXT = "{\"tenant\":\"${tenant_id}\"}";

  /** Good records in the customer data sets; four bad ones are added. */
  public static final int CUSTOMERS = 200;

  /** Records in the rotation data set. */
  public static final int SMALL_SET = 60;

  private final Path work;

  private Samples(Path work) {
    this.work = work;
  }

  /** The bad customers of {@link #init} (by ID) and the code each is dead-lettered with. */
  public static final Map<String, String> BAD_RECORD_CODES =
      Map.of(
          "bad-tampered-1", "InvalidCiphertextException",
          "bad-context-2", "InvalidCiphertextException",
          "bad-disabled-3", "DisabledException",
          "bad-notenant-5", "ContextFieldMissing");

  /** The dead letters of a run over the customers, counted by code as the run's report has them. */
  public static Map<String, Long> badRecordsByCode() {
    return BAD_RECORD_CODES.values().stream()
        .collect(Collectors.groupingBy(code -> code, Collectors.counting()));
  }

  /** The fixture in {@code work} (a fresh directory of the test's). */
  public static Samples at(Path work) {
    return new Samples(work);
  }

  /** The fixture {@link #init made} in {@code work} (a fresh directory of the test's). */
  public static Samples made(Path work) throws IOException {
    Samples samples = at(work);
    samples.init();
    return samples;
  }

  /** The job's settings that re-key these samples' {@code fields} to {@link #NEW_KEY}. */
  public List<String> reKeyArgs(String fields) {
    return List.of(
        "--keystore=" + keystore(),
        "--fields=" + fields,
        "--destinationKeyId=" + NEW_KEY,
        "--sourceEncryptionContext=" + TENANT_CONTEXT,
        "--destinationEncryptionContext=" + TENANT_CONTEXT);
  }

  /**
   * The job's arguments that re-key every sample field of {@code input} into {@code output} (a path
   * or a URL), as {@link #reKeyArgs(String)}, then {@code more}.
   */
  public String[] reKeyArgs(Object input, Object output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input=" + input, "--output=" + output));
    args.addAll(reKeyArgs(FIELDS));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  public Path keystore() {
    return work.resolve("keystore");
  }

  public Path data(String file) {
    return work.resolve("data").resolve(file);
  }

  /**
   * Makes the key store and {@code customers.avro}, {@code customers.parquet} and {@code
   * customers.jsonl} ({@value #CUSTOMERS} good records under {@value #OLD_KEY} and four bad ones: a
   * tampered blob, a wrong context, a disabled key, a missing tenant) and {@code rotation.avro}
   * ({@value #SMALL_SET} records under {@value #ROTATING_KEY}).
   */
  public void init() throws IOException {
    Files.createDirectories(work);
    try (FileKeyStore store =
            FileKeyStore.create(
                keystore(),
                ACCOUNT,
                List.of(US_EAST_1, EU_WEST_1),
                new RootKeySource.KeyFile(
                    keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)));
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller us = caller(US_EAST_1);
      for (String alias : List.of(OLD_KEY, NEW_KEY, DISABLED_KEY, ROTATING_KEY)) {
        String id = engine.createKey(us, CreateKeyRequest.builder().build()).keyMetadata().keyId();
        engine.createAlias(us, new CreateAliasRequest(alias, id));
      }
      writeCustomers(engine, us);
      SampleData.Encryptor rotating = encryptor(engine, us, ROTATING_KEY);
      List<GenericRecord> rotation = new ArrayList<>();
      for (int i = 0; i < SMALL_SET; i++) {
        rotation.add(SampleData.toAvro(SampleData.customer("rot", i), rotating));
      }
      SampleData.writeAvro(data("rotation.avro"), SampleData.SCHEMA, rotation);
      engine.disableKey(us, new DisableKeyRequest(DISABLED_KEY));
    }
  }

  private void writeCustomers(KmsEngine engine, Caller us) throws IOException {
    SampleData.CustomerSet customers =
        SampleData.customers(
            CUSTOMERS, encryptor(engine, us, OLD_KEY), encryptor(engine, us, DISABLED_KEY));
    SampleData.writeAvro(data("customers.avro"), SampleData.SCHEMA, customers.avro());
    // The same records as Parquet, written by parquet-avro itself: several row groups,
    // dictionary-encoded columns, nulls, gzip and three-level lists (not the job's defaults).
    ParquetTestFiles.write(
        data("customers.parquet"),
        SampleData.SCHEMA,
        customers.avro(),
        ParquetTestFiles.Writer.smallRowGroups());
    SampleData.writeLines(data("customers.jsonl"), customers.json());
  }

  /**
   * {@code data/bench-N.avro}: {@code n} records {@code {id, customer, country, amount,
   * createdMillis, secret}}, each secret a 64-byte random plaintext under {@value #OLD_KEY}, no
   * context; written as made, so that a large set needs no more memory than one record.
   */
  public Path bench(int n) throws IOException {
    Schema schema =
        SchemaBuilder.record("BenchRecord")
            .namespace("io.qkms.samples")
            .fields()
            .requiredLong("id")
            .requiredString("customer")
            .requiredString("country")
            .requiredDouble("amount")
            .requiredLong("createdMillis")
            .requiredBytes("secret")
            .endRecord();
    Path file = data("bench-" + n + ".avro");
    Files.createDirectories(file.getParent());
    Random plain = new Random(n);
    SecureRandom random = new SecureRandom();
    byte[] plaintext = new byte[64];
    try (FileKeyStore store = open();
        KmsEngine engine = KmsEngine.builder().keyStore(store).build();
        DataFileWriter<GenericRecord> w =
            new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, file.toFile());
      Caller us = caller(US_EAST_1);
      for (int i = 0; i < n; i++) {
        random.nextBytes(plaintext);
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", (long) i);
        r.put("customer", "customer-" + plain.nextInt(1_000_000));
        r.put("country", List.of("DE", "FR", "US", "JP").get(plain.nextInt(4)));
        r.put("amount", plain.nextInt(10_000_000) / 100.0);
        r.put("createdMillis", 1_700_000_000_000L + plain.nextInt(1_000_000_000));
        r.put(
            "secret",
            ByteBuffer.wrap(
                engine
                    .encrypt(
                        us, EncryptRequest.builder().keyId(OLD_KEY).plaintext(plaintext).build())
                    .ciphertextBlob()));
        w.append(r);
      }
    }
    return file;
  }

  /** Records of {@link #mixedMaterials}: how many blobs under each key and material. */
  public static final int MIXED_FIRST_MATERIAL = 30;

  public static final int MIXED_SECOND_MATERIAL = 20;
  public static final int MIXED_OLD_KEY = 10;

  /**
   * {@code data/mixed.avro} and {@code data/mixed.jsonl}, records {@code {id, secret}} (no
   * context): {@value #MIXED_FIRST_MATERIAL} under {@value #ROTATING_KEY}'s material of now, then
   * the key rotated with a clock {@code laterBy} ahead and {@value #MIXED_SECOND_MATERIAL} under
   * the new material (created then), {@value #MIXED_OLD_KEY} under {@value #OLD_KEY}, one null
   * secret and one secret of bytes that are no QKMS ciphertext. The JSON Lines also have a secret
   * that is a number and one that is not base64.
   *
   * @return the rotating key's two material IDs, the first one first
   */
  public List<String> mixedMaterials(java.time.Duration laterBy) throws IOException {
    Schema schema =
        SchemaBuilder.record("Mixed")
            .namespace("io.qkms.samples")
            .fields()
            .requiredString("id")
            .optionalBytes("secret")
            .endRecord();
    List<GenericRecord> avro = new ArrayList<>();
    List<String> json = new ArrayList<>();
    List<String> materials = new ArrayList<>();
    java.util.function.BiConsumer<String, byte[]> add =
        (id, blob) -> {
          GenericData.Record r = new GenericData.Record(schema);
          r.put("id", id);
          r.put("secret", blob == null ? null : ByteBuffer.wrap(blob));
          avro.add(r);
          json.add(
              "{\"id\":\""
                  + id
                  + "\",\"secret\":"
                  + (blob == null ? "null" : "\"" + Base64.getEncoder().encodeToString(blob) + "\"")
                  + "}");
        };
    java.time.Instant now = java.time.Instant.now();
    try (FileKeyStore store = open()) {
      Caller us = caller(US_EAST_1);
      try (KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
        materials.add(currentMaterial(engine, us, ROTATING_KEY));
        for (int i = 0; i < MIXED_FIRST_MATERIAL; i++) {
          add.accept("a-" + i, encrypt(engine, us, ROTATING_KEY, "a-" + i));
        }
        for (int i = 0; i < MIXED_OLD_KEY; i++) {
          add.accept("c-" + i, encrypt(engine, us, OLD_KEY, "c-" + i));
        }
      }
      try (KmsEngine later =
          KmsEngine.builder()
              .keyStore(store)
              .clock(java.time.Clock.fixed(now.plus(laterBy), java.time.ZoneOffset.UTC))
              .build()) {
        later.rotateKeyOnDemand(us, new RotateKeyOnDemandRequest(ROTATING_KEY));
        materials.add(currentMaterial(later, us, ROTATING_KEY));
        for (int i = 0; i < MIXED_SECOND_MATERIAL; i++) {
          add.accept("b-" + i, encrypt(later, us, ROTATING_KEY, "b-" + i));
        }
      }
    }
    add.accept("null-0", null);
    add.accept("junk-0", "no QKMS ciphertext".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    SampleData.writeAvro(data("mixed.avro"), schema, avro);
    json.add("{\"id\":\"wrongtype-0\",\"secret\":42}");
    json.add("{\"id\":\"badbase64-0\",\"secret\":\"!!not base64!!\"}");
    SampleData.writeLines(data("mixed.jsonl"), json);
    return materials;
  }

  /** The ID of the material {@code keyId} encrypts with now. */
  private static String currentMaterial(KmsEngine engine, Caller caller, String keyId) {
    return engine
        .describeKey(caller, new DescribeKeyRequest(keyId, null))
        .keyMetadata()
        .currentKeyMaterialId();
  }

  private static byte[] encrypt(KmsEngine engine, Caller us, String keyId, String id) {
    return engine
        .encrypt(
            us,
            EncryptRequest.builder()
                .keyId(keyId)
                .plaintext(("PLAINTEXT-" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .build())
        .ciphertextBlob();
  }

  /** RotateKeyOnDemand. */
  public void rotate(String keyId) {
    admin(e -> e.rotateKeyOnDemand(caller(US_EAST_1), new RotateKeyOnDemandRequest(keyId)));
  }

  public void enableKey(String keyId) {
    admin(e -> e.enableKey(caller(US_EAST_1), new EnableKeyRequest(keyId)));
  }

  /** What {@link #verify} found. */
  public record Verified(long records, long fields, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Decrypts every ciphertext of the customer records in a run's Avro part files under {@code
   * keyId} in {@code region} and the record's tenant context, and compares it with the plaintext
   * the generator made; reports problems by record ID and field, never values.
   */
  public Verified verify(Path runDir, String keyId, Region region) {
    return verify(Outputs.avro(runDir), keyId, region);
  }

  /** As {@link #verify(Path, String, Region)}, for records read already (from Parquet, say). */
  public Verified verify(List<GenericRecord> records, String keyId, Region region) {
    List<String> problems = new ArrayList<>();
    long fields = 0;
    try (Outputs.Admin admin = new Outputs.Admin(this)) {
      for (GenericRecord rec : records) {
        String id = rec.get("id").toString();
        Map<String, String> context = SampleData.context(String.valueOf(rec.get("tenant_id")));
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        Map<String, String> expected = new LinkedHashMap<>();
        blobs.put("card.number", Outputs.bytes(((GenericRecord) rec.get("card")).get("number")));
        expected.put("card.number", SampleData.expectedCardNumber(id));
        List<?> items = (List<?>) rec.get("items");
        for (int j = 0; j < items.size(); j++) {
          String secret = ((GenericRecord) items.get(j)).get("secret").toString();
          blobs.put("items[" + j + "].secret", Base64.getDecoder().decode(secret));
          expected.put("items[" + j + "].secret", SampleData.expectedItemSecret(id, j));
        }
        if (rec.get("note") != null) {
          blobs.put("note", Outputs.bytes(rec.get("note")));
          expected.put("note", SampleData.expectedNote(id));
        }
        for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
          fields++;
          try {
            if (!admin
                .decrypt(b.getValue(), keyId, context, region)
                .equals(expected.get(b.getKey()))) {
              problems.add(id + " " + b.getKey() + ": decrypts to another plaintext");
            }
          } catch (KmsException e) {
            problems.add(id + " " + b.getKey() + ": " + e.errorCode());
          }
        }
      }
    }
    return new Verified(records.size(), fields, List.copyOf(problems));
  }

  private void admin(Consumer<KmsEngine> step) {
    try (FileKeyStore store = open();
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      step.accept(engine);
    }
  }

  private FileKeyStore open() {
    return FileKeyStore.open(
        keystore(),
        new RootKeySource.KeyFile(keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
        FileKeyStore.Mode.READ_WRITE);
  }

  static Caller caller(Region region) {
    return new Caller(Principal.root(ACCOUNT), region);
  }

  private static SampleData.Encryptor encryptor(KmsEngine engine, Caller caller, String keyId) {
    return (field, plaintext, context) ->
        engine
            .encrypt(
                caller,
                EncryptRequest.builder()
                    .keyId(keyId)
                    .plaintext(plaintext)
                    .encryptionContext(context)
                    .build())
            .ciphertextBlob();
  }
}
