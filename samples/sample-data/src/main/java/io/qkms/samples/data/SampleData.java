package io.qkms.samples.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * The sample records: customers with a card number ({@code card.number}, Avro bytes), item secrets
 * ({@code items[].secret}, base64 strings in an array of records) and an optional note ({@code
 * note}, a union of null and bytes), encrypted with the context {@code {"tenant": <tenant_id>}}.
 * Plaintexts are derived from the record ID, so that a run's output can be checked without keeping
 * them anywhere.
 *
 * <p>The samples module makes its data sets with it, and the pipeline's tests their fixture.
 */
public final class SampleData {
  /** The context every sample ciphertext is made with, referring to the record's tenant. */
  public static final Map<String, String> CONTEXT_TEMPLATE = Map.of("tenant", "${tenant_id}");

  /** The ciphertext fields of the sample records. */
  public static final List<String> FIELDS = List.of("card.number", "items[].secret", "note");

  public static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Customer", "namespace": "io.qkms.samples",
               "fields": [
                 {"name": "id", "type": "string"},
                 {"name": "tenant_id", "type": ["null", "string"], "default": null},
                 {"name": "card", "type": {"type": "record", "name": "Card", "fields": [
                   {"name": "holder", "type": "string"},
                   {"name": "number", "type": "bytes"}]}},
                 {"name": "items", "type": {"type": "array", "items": {
                   "type": "record", "name": "Item", "fields": [
                     {"name": "sku", "type": "string"},
                     {"name": "secret", "type": "string"}]}}},
                 {"name": "note", "type": ["null", "bytes"], "default": null}
               ]}
              """);

  /** Encrypts one plaintext field of a record (the generator's only use of the engine). */
  @FunctionalInterface
  public interface Encryptor {
    byte[] encrypt(String fieldPath, byte[] plaintext, Map<String, String> context);
  }

  /** A customer in plaintext. {@code note} may be null. */
  public record Customer(
      String id, String tenant, String holder, String cardNumber, List<Item> items, String note) {}

  public record Item(String sku, String secret) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private SampleData() {}

  /** Customer {@code i}: plaintexts carry a {@code PLAINTEXT-} marker so scans can find them. */
  public static Customer customer(String prefix, int i) {
    String id = prefix + "-" + i;
    String tenant = "tenant-" + (i % 3);
    List<Item> items = new ArrayList<>();
    for (int j = 0; j < i % 4; j++) {
      items.add(new Item("sku-" + j, expectedItemSecret(id, j)));
    }
    return new Customer(
        id,
        tenant,
        "Holder " + i,
        expectedCardNumber(id),
        items,
        i % 3 == 0 ? null : expectedNote(id));
  }

  public static String expectedCardNumber(String id) {
    return String.format(Locale.ROOT, "PLAINTEXT-card-%s-4111111111111111", id);
  }

  public static String expectedItemSecret(String id, int j) {
    return "PLAINTEXT-item-" + id + "-" + j;
  }

  public static String expectedNote(String id) {
    return "PLAINTEXT-note-" + id;
  }

  public static Map<String, String> context(String tenant) {
    return Map.of("tenant", tenant);
  }

  /** A customer set as Avro records and as JSON lines, the same records in the same order. */
  public record CustomerSet(List<GenericRecord> avro, List<String> json) {}

  /**
   * The customer data set: {@code good} customers ({@code cust-0}...) under {@code key}, then four
   * bad ones, each failing in its own way: {@code bad-tampered-1} (one bit of the card number's tag
   * flipped), {@code bad-context-2} (encrypted under another tenant's context than the record
   * names), {@code bad-disabled-3} (under {@code disabledKey}, a key to be disabled once the data
   * is written) and {@code bad-notenant-5} (the record lost its tenant, which the contexts refer
   * to).
   */
  public static CustomerSet customers(int good, Encryptor key, Encryptor disabledKey) {
    List<GenericRecord> avro = new ArrayList<>();
    List<String> json = new ArrayList<>();
    for (int i = 0; i < good; i++) {
      Customer c = customer("cust", i);
      avro.add(toAvro(c, key));
      json.add(toJson(c, key));
    }
    Encryptor tamper =
        (field, pt, ctx) -> {
          byte[] b = key.encrypt(field, pt, ctx);
          if (field.equals("card.number")) {
            b[b.length - 1] ^= 1;
          }
          return b;
        };
    Encryptor otherTenant = (field, pt, ctx) -> key.encrypt(field, pt, context("tenant-elsewhere"));
    Customer noTenant = customer("bad-notenant", 5);
    Encryptor withTenant = (field, pt, ctx) -> key.encrypt(field, pt, context(noTenant.tenant()));
    Map<Customer, Encryptor> bad = new LinkedHashMap<>();
    bad.put(customer("bad-tampered", 1), tamper);
    bad.put(customer("bad-context", 2), otherTenant);
    bad.put(customer("bad-disabled", 3), disabledKey);
    bad.put(
        new Customer(
            noTenant.id(),
            null,
            noTenant.holder(),
            noTenant.cardNumber(),
            noTenant.items(),
            noTenant.note()),
        withTenant);
    bad.forEach(
        (c, enc) -> {
          avro.add(toAvro(c, enc));
          json.add(toJson(c, enc));
        });
    return new CustomerSet(avro, json);
  }

  /** The customer as an Avro record, every field encrypted with {@code enc}. */
  public static GenericRecord toAvro(Customer c, Encryptor enc) {
    Map<String, String> ctx = c.tenant() == null ? null : context(c.tenant());
    Schema cardSchema = SCHEMA.getField("card").schema();
    GenericData.Record card = new GenericData.Record(cardSchema);
    card.put("holder", c.holder());
    card.put("number", ByteBuffer.wrap(enc.encrypt("card.number", utf8(c.cardNumber()), ctx)));
    Schema itemSchema = SCHEMA.getField("items").schema().getElementType();
    GenericData.Array<GenericRecord> items =
        new GenericData.Array<>(c.items().size(), SCHEMA.getField("items").schema());
    for (Item it : c.items()) {
      GenericData.Record r = new GenericData.Record(itemSchema);
      r.put("sku", it.sku());
      r.put("secret", base64(enc.encrypt("items[].secret", utf8(it.secret()), ctx)));
      items.add(r);
    }
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("id", c.id());
    r.put("tenant_id", c.tenant());
    r.put("card", card);
    r.put("items", items);
    r.put(
        "note",
        c.note() == null ? null : ByteBuffer.wrap(enc.encrypt("note", utf8(c.note()), ctx)));
    return r;
  }

  /** The customer as a JSON line; a null note is written as null or left out, by turns. */
  public static String toJson(Customer c, Encryptor enc) {
    Map<String, String> ctx = c.tenant() == null ? null : context(c.tenant());
    ObjectNode n = JSON.createObjectNode();
    n.put("id", c.id());
    n.put("tenant_id", c.tenant());
    ObjectNode card = n.putObject("card");
    card.put("holder", c.holder());
    card.put("number", base64(enc.encrypt("card.number", utf8(c.cardNumber()), ctx)));
    ArrayNode items = n.putArray("items");
    for (Item it : c.items()) {
      ObjectNode o = items.addObject();
      o.put("sku", it.sku());
      o.put("secret", base64(enc.encrypt("items[].secret", utf8(it.secret()), ctx)));
    }
    if (c.note() != null) {
      n.put("note", base64(enc.encrypt("note", utf8(c.note()), ctx)));
    } else if (c.id().hashCode() % 2 == 0) {
      n.putNull("note");
    }
    return n.toString();
  }

  public static void writeAvro(Path file, Schema schema, List<GenericRecord> records)
      throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (DataFileWriter<GenericRecord> w =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(schema))) {
      w.create(schema, file.toFile());
      for (GenericRecord r : records) {
        w.append(r);
      }
    }
  }

  /**
   * The records as Parquet, written by parquet-avro itself as another tool would write them, laid
   * out as {@link ParquetLayout#SAMPLES}.
   */
  public static void writeParquet(Path file, Schema schema, List<GenericRecord> records)
      throws IOException {
    writeParquet(file, schema, records, ParquetLayout.SAMPLES);
  }

  /** The records as Parquet, written by parquet-avro itself, laid out as {@code how} says. */
  public static void writeParquet(
      Path file, Schema schema, List<GenericRecord> records, ParquetLayout how) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    // Small row groups always outgrow three times their size in column buffers, which
    // parquet-hadoop reports as a WARNING ("Too much memory used"), and Hadoop's codec pool
    // announces each compressor at INFO: neither says anything about the data, and both would
    // reach the console of `scripts/rekey --samples`. Strong references: JUL keeps loggers weakly.
    Logger writer = Logger.getLogger("org.apache.parquet.hadoop.InternalParquetRecordWriter");
    Logger codecs = Logger.getLogger("org.apache.hadoop.io.compress.CodecPool");
    Level writerLevel = writer.getLevel();
    Level codecsLevel = codecs.getLevel();
    writer.setLevel(Level.SEVERE);
    codecs.setLevel(Level.WARNING);
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, how.oldListStructure());
    try (ParquetWriter<GenericRecord> w =
        AvroParquetWriter.<GenericRecord>builder(new LocalParquetFile(file))
            .withSchema(schema)
            .withConf(conf)
            .withDataModel(GenericData.get())
            .withCompressionCodec(how.codec())
            .withRowGroupSize(how.rowGroupBytes())
            .withPageSize(how.pageBytes())
            .withDictionaryEncoding(true)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (GenericRecord r : records) {
        w.write(r);
      }
    } finally {
      writer.setLevel(writerLevel);
      codecs.setLevel(codecsLevel);
    }
  }

  public static void writeLines(Path file, List<String> lines) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (String l : lines) {
        w.write(l);
        w.write('\n');
      }
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
