package io.qkms.samples;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.ReplicateKeyRequest;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.parquet.ParquetFiles;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * The samples: a key store and data sets made fresh on every use (so they never go stale when the
 * ciphertext format changes), the administrator's steps of the walk-throughs, a generator of
 * benchmark data, and a checker that decrypts a run's output. Uses the engine directly, over the
 * file key store: it needs neither the CLI nor a server.
 *
 * <p>Layout of the work directory: {@code keystore/} (with {@code root.key}), {@code data/}, and
 * the runs the walk-throughs make.
 */
public final class Samples {
  public static final AccountId ACCOUNT = AccountId.of("111122223333");
  public static final Region US_EAST_1 = Region.of("us-east-1");
  public static final Region EU_WEST_1 = Region.of("eu-west-1");

  public static final String OLD_KEY = "alias/sample-old";
  public static final String NEW_KEY = "alias/sample-new";
  public static final String DISABLED_KEY = "alias/sample-disabled";
  public static final String ROTATING_KEY = "alias/sample-rotating";
  public static final String MRK = "alias/sample-mrk";
  public static final String EU_KEY = "alias/sample-eu";

  /** Where the sample data sets hold their ciphertexts: the job's --fields for them. */
  public static final String FIELDS = "card.number,items[].secret,note";

  /** The encryption context the samples were encrypted under: each record's tenant. */
  public static final String TENANT_CONTEXT = "{\"tenant\":\"${tenant_id}\"}";

  /** Good records in the main data set; four bad ones are added. */
  public static final int CUSTOMERS = 200;

  /** Records in the rotation and cross-region data sets. */
  public static final int SMALL_SET = 60;

  /** Marks a directory as a samples work directory (which {@link #init} may wipe). */
  static final String MARKER = ".qkms-samples";

  private final Path work;

  private Samples(Path work) {
    this.work = work;
  }

  public static Samples at(Path work) {
    return new Samples(work);
  }

  public Path work() {
    return work;
  }

  public Path keystore() {
    return work.resolve("keystore");
  }

  public Path data(String file) {
    return work.resolve("data").resolve(file);
  }

  /**
   * The re-key job's options every run over the samples shares: this key store, the samples' fields
   * and tenant context, and the key to re-encrypt to.
   */
  public List<String> jobOptions(String destinationKeyId) {
    return List.of(
        "--keystore=" + keystore(),
        "--fields=" + FIELDS,
        "--destinationKeyId=" + destinationKeyId,
        "--sourceEncryptionContext=" + TENANT_CONTEXT,
        "--destinationEncryptionContext=" + TENANT_CONTEXT);
  }

  // ---- making the samples ------------------------------------------------------------------

  /**
   * (Re)creates the work directory: a new key store with the sample keys, and the data sets,
   * encrypted now: {@code customers.avro}, {@code customers.parquet} (the same records) and {@code
   * customers.jsonl} ({@value #CUSTOMERS} good records under {@value #OLD_KEY} and four bad ones: a
   * tampered blob, a wrong context, a disabled key, a missing tenant), {@code rotation.avro} (under
   * {@value #ROTATING_KEY}), {@code orders-us.avro} (under the multi-Region key {@value #MRK} in
   * us-east-1) and {@code documents.avro} (Tink envelopes whose data keys {@value #OLD_KEY} wraps:
   * {@link Documents}).
   */
  public void init() throws IOException {
    wipe();
    Files.createDirectories(work);
    Files.writeString(work.resolve(MARKER), "QKMS samples work directory; recreated on demand\n");
    try (FileKeyStore store =
            FileKeyStore.create(
                keystore(),
                ACCOUNT,
                List.of(US_EAST_1, EU_WEST_1),
                new RootKeySource.KeyFile(
                    keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)));
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller us = caller(US_EAST_1);
      Caller eu = caller(EU_WEST_1);
      key(engine, us, OLD_KEY, false);
      key(engine, us, NEW_KEY, false);
      key(engine, us, DISABLED_KEY, false);
      key(engine, us, ROTATING_KEY, false);
      String mrk = key(engine, us, MRK, true);
      engine.replicateKey(
          us, new ReplicateKeyRequest(mrk, EU_WEST_1.name(), null, null, "sample replica", null));
      engine.createAlias(eu, new CreateAliasRequest(MRK, mrk));
      key(engine, eu, EU_KEY, false);

      writeCustomers(engine, us);
      SampleData.Encryptor rotating = encryptor(engine, us, ROTATING_KEY);
      List<GenericRecord> rotation = new ArrayList<>();
      for (int i = 0; i < SMALL_SET; i++) {
        rotation.add(SampleData.toAvro(SampleData.customer("rot", i), rotating));
      }
      SampleData.writeAvro(data("rotation.avro"), SampleData.SCHEMA, rotation);
      SampleData.Encryptor global = encryptor(engine, us, MRK);
      List<GenericRecord> orders = new ArrayList<>();
      for (int i = 0; i < SMALL_SET; i++) {
        orders.add(SampleData.toAvro(SampleData.customer("order", i), global));
      }
      SampleData.writeAvro(data("orders-us.avro"), SampleData.SCHEMA, orders);
      SampleData.writeAvro(
          data(Documents.FILE),
          Documents.SCHEMA,
          Documents.records(Documents.envelope(engine, us, OLD_KEY)));
      engine.disableKey(us, new DisableKeyRequest(DISABLED_KEY));
      // The account root's access key for `qkms serve`, in a credentials file beside the store
      // (profile qkms), as `qkms init` writes it: for runs through a KMS endpoint.
      NewAccessKey root = AccessKeys.of(store).create(Principal.root(ACCOUNT));
      CredentialsFile.write(
          keystore().resolve(CredentialsFile.FILE_NAME),
          CredentialsFile.PROFILE,
          root.accessKeyId(),
          root.secretAccessKey());
    }
  }

  private void writeCustomers(KmsEngine engine, Caller us) throws IOException {
    SampleData.CustomerSet customers =
        SampleData.customers(
            CUSTOMERS, encryptor(engine, us, OLD_KEY), encryptor(engine, us, DISABLED_KEY));
    SampleData.writeAvro(data("customers.avro"), SampleData.SCHEMA, customers.avro());
    SampleData.writeParquet(data("customers.parquet"), SampleData.SCHEMA, customers.avro());
    SampleData.writeLines(data("customers.jsonl"), customers.json());
  }

  /**
   * Benchmark data: {@code n} records {@code {id: long, secret: bytes}}, each secret a 64-byte
   * random plaintext encrypted under {@value #OLD_KEY} without context.
   *
   * @return the file written
   */
  public Path bench(int n) throws IOException {
    // One ciphertext field of a 64-byte plaintext and a few plain fields, as the benchmark asks;
    // written as it is made, so a million records need no more memory than one.
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
    Files.createDirectories(file.toAbsolutePath().getParent());
    String[] countries = {"DE", "FR", "US", "JP", "BR", "IN", "NG", "AU"};
    try (FileKeyStore store = open();
        KmsEngine engine = KmsEngine.builder().keyStore(store).build();
        org.apache.avro.file.DataFileWriter<GenericRecord> w =
            new org.apache.avro.file.DataFileWriter<>(
                new org.apache.avro.generic.GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, file.toFile());
      Caller us = caller(US_EAST_1);
      SecureRandom random = new SecureRandom();
      java.util.Random plain = new java.util.Random(n);
      byte[] plaintext = new byte[64];
      for (int i = 0; i < n; i++) {
        random.nextBytes(plaintext);
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", (long) i);
        r.put("customer", "customer-" + plain.nextInt(1_000_000));
        r.put("country", countries[plain.nextInt(countries.length)]);
        r.put("amount", Math.round(plain.nextDouble() * 100_000) / 100.0);
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

  // ---- the administrator's steps -----------------------------------------------------------

  /** RotateKeyOnDemand. */
  public void rotate(String keyId) {
    admin(e -> e.rotateKeyOnDemand(caller(US_EAST_1), new RotateKeyOnDemandRequest(keyId)));
  }

  public void enableKey(String keyId) {
    admin(e -> e.enableKey(caller(US_EAST_1), new EnableKeyRequest(keyId)));
  }

  public void disableKey(String keyId) {
    admin(e -> e.disableKey(caller(US_EAST_1), new DisableKeyRequest(keyId)));
  }

  private void admin(java.util.function.Consumer<KmsEngine> step) {
    try (FileKeyStore store = open();
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      step.accept(engine);
    }
  }

  // ---- checking a run ----------------------------------------------------------------------

  /** What {@link #verify} found. */
  public record Verified(long records, long fields, long nulls, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /**
   * Decrypts every ciphertext of a run's output (part files in {@code runDir}) with the engine,
   * under {@code keyId} in {@code region} and the record's tenant context (a document: with Tink,
   * its data key unwrapped under {@code keyId}), and compares it with the plaintext the generator
   * made. Reports mismatches by record ID and field, never values.
   */
  public Verified verify(Path runDir, String keyId, Region region) throws IOException {
    List<String> problems = new ArrayList<>();
    long[] counts = new long[3];
    try (FileKeyStore store = open();
        KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
      Caller caller = caller(region);
      Checker check =
          (id, tenant, field, blob, expected) -> {
            counts[1]++;
            try {
              byte[] pt =
                  engine
                      .decrypt(
                          caller,
                          DecryptRequest.builder()
                              .ciphertextBlob(blob)
                              .keyId(keyId)
                              .encryptionContext(SampleData.context(tenant))
                              .build())
                      .plaintext();
              if (!expected.equals(new String(pt, StandardCharsets.UTF_8))) {
                problems.add(id + " " + field + ": decrypts to another plaintext");
              }
            } catch (KmsException e) {
              problems.add(id + " " + field + ": " + e.errorCode());
            }
          };
      com.google.crypto.tink.Aead documents = null;
      for (Path part : parts(runDir)) {
        if (part.toString().endsWith(".avro")) {
          try (DataFileReader<GenericRecord> r =
              new DataFileReader<>(part.toFile(), new GenericDatumReader<>())) {
            for (GenericRecord rec : r) {
              counts[0]++;
              if (Documents.isDocument(rec)) {
                if (documents == null) {
                  documents = Documents.envelope(engine, caller, keyId);
                }
                counts[1]++;
                String problem = Documents.problem(rec, documents);
                if (problem != null) {
                  problems.add(problem);
                }
              } else {
                counts[2] += verifyAvro(rec, check, problems);
              }
            }
          }
        } else if (part.toString().endsWith(".parquet")) {
          for (GenericRecord rec :
              ParquetFiles.firstRecords(part.toString(), Files.size(part), Integer.MAX_VALUE)) {
            counts[0]++;
            counts[2] += verifyAvro(rec, check, problems);
          }
        } else {
          for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
              counts[0]++;
              counts[2] += verifyJson(DeadLetterFiles.parseJsonLine(line), check, problems);
            }
          }
        }
      }
    }
    return new Verified(counts[0], counts[1], counts[2], List.copyOf(problems));
  }

  @FunctionalInterface
  private interface Checker {
    void check(String id, String tenant, String field, byte[] blob, String expected);
  }

  private static int verifyAvro(GenericRecord rec, Checker check, List<String> problems) {
    String id = rec.get("id").toString();
    String tenant = String.valueOf(rec.get("tenant_id"));
    GenericRecord card = (GenericRecord) rec.get("card");
    check.check(
        id,
        tenant,
        "card.number",
        bytes(rec, card.get("number")),
        SampleData.expectedCardNumber(id));
    List<?> items = (List<?>) rec.get("items");
    for (int j = 0; j < items.size(); j++) {
      GenericRecord it = (GenericRecord) items.get(j);
      check.check(
          id,
          tenant,
          "items[].secret",
          Base64.getDecoder().decode(it.get("secret").toString()),
          SampleData.expectedItemSecret(id, j));
    }
    Object note = rec.get("note");
    if (note == null) {
      return 1;
    }
    check.check(id, tenant, "note", bytes(rec, note), SampleData.expectedNote(id));
    return 0;
  }

  private static int verifyJson(JsonNode rec, Checker check, List<String> problems) {
    String id = rec.get("id").asText();
    String tenant = rec.get("tenant_id").asText();
    check.check(
        id,
        tenant,
        "card.number",
        Base64.getDecoder().decode(rec.get("card").get("number").asText()),
        SampleData.expectedCardNumber(id));
    JsonNode items = rec.get("items");
    for (int j = 0; j < items.size(); j++) {
      check.check(
          id,
          tenant,
          "items[].secret",
          Base64.getDecoder().decode(items.get(j).get("secret").asText()),
          SampleData.expectedItemSecret(id, j));
    }
    JsonNode note = rec.get("note");
    if (note == null || note.isNull()) {
      return 1;
    }
    check.check(
        id, tenant, "note", Base64.getDecoder().decode(note.asText()), SampleData.expectedNote(id));
    return 0;
  }

  private static byte[] bytes(GenericRecord rec, Object value) {
    ByteBuffer b = ((ByteBuffer) value).duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** The output part files of a run directory, in name order. */
  public static List<Path> parts(Path runDir) throws IOException {
    try (Stream<Path> s = Files.list(runDir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    }
  }

  /** One line per dead letter: code, field, key (never the record's contents). */
  public static List<String> describeDeadLetters(Path deadLetterDir) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path part : parts(deadLetterDir)) {
      if (part.toString().endsWith(".avro")) {
        try (DataFileReader<GenericRecord> r =
            new DataFileReader<>(part.toFile(), new GenericDatumReader<>())) {
          for (GenericRecord d : r) {
            out.add(
                line(
                    ((GenericRecord) d.get("record")).get("id").toString(),
                    String.valueOf(d.get("errorCode")),
                    String.valueOf(d.get("fieldPath")),
                    String.valueOf(d.get("sourceKeyArn")),
                    String.valueOf(d.get("message"))));
          }
        }
      } else {
        for (String l : Files.readAllLines(part, StandardCharsets.UTF_8)) {
          if (l.isBlank()) {
            continue;
          }
          JsonNode d = DeadLetterFiles.parseJsonLine(l);
          JsonNode record = DeadLetterFiles.parseJsonLine(d.get("record").asText());
          out.add(
              line(
                  record.path("id").asText("?"),
                  d.get("errorCode").asText(),
                  d.get("fieldPath").asText(),
                  d.get("sourceKeyArn").asText(),
                  d.get("message").asText()));
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** One dead letter on a line; the key is left out where the message already names it. */
  private static String line(String id, String code, String field, String key, String message) {
    boolean keyInMessage = key != null && message != null && message.contains(key);
    return id
        + "  "
        + code
        + "  field="
        + field
        + (keyInMessage ? "" : "  key=" + key)
        + "  "
        + message;
  }

  // ---- helpers -----------------------------------------------------------------------------

  FileKeyStore open() {
    return FileKeyStore.open(
        keystore(),
        new RootKeySource.KeyFile(keystore().resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
        FileKeyStore.Mode.READ_WRITE);
  }

  static Caller caller(Region region) {
    return new Caller(Principal.root(ACCOUNT), region);
  }

  private static String key(KmsEngine engine, Caller caller, String alias, boolean multiRegion) {
    String id =
        engine
            .createKey(
                caller,
                CreateKeyRequest.builder()
                    .description("QKMS sample key " + alias)
                    .multiRegion(multiRegion ? Boolean.TRUE : null)
                    .build())
            .keyMetadata()
            .keyId();
    engine.createAlias(caller, new CreateAliasRequest(alias, id));
    return id;
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

  /** Removes an earlier work directory, but only one this class made (it has the marker). */
  private void wipe() throws IOException {
    if (!Files.exists(work)) {
      return;
    }
    boolean empty;
    try (Stream<Path> s = Files.list(work)) {
      empty = s.findAny().isEmpty();
    }
    if (!empty && !Files.exists(work.resolve(MARKER))) {
      throw new IOException(
          work + " exists and is not a samples work directory; refusing to delete it");
    }
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }
}
