package io.qkms.pipeline.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.LosslessUtf8;
import io.qkms.pipeline.read.LosslessUtf8Coder;
import io.qkms.pipeline.read.TextLines;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The dead-letter files of a run, in the input's own format so that they can be read back as input
 * (replay):
 *
 * <ul>
 *   <li>JSON Lines input: {@code part-*.jsonl}, one JSON object a line: {@code time}, {@code
 *       errorCode}, {@code fieldPath}, {@code message}, {@code sourceKeyArn}, {@code attempts} and
 *       {@code record}, the original line as a JSON string (exactly the text that was read).
 *   <li>Avro input: {@code part-*.avro} with the record schema {@value #AVRO_NAME} in namespace
 *       {@value #AVRO_NAMESPACE}: the same fields, with {@code record} the original record in its
 *       own schema.
 * </ul>
 */
public final class DeadLetterFiles {
  public static final String AVRO_NAME = "QkmsDeadLetter";
  public static final String AVRO_NAMESPACE = "io.qkms.deadletter";

  /** The file name prefix in the dead-letter directory. */
  public static final String PREFIX = "part";

  /**
   * Writes dead letters, and reads them back without Jackson's limit on string length: a record
   * that was dead-lettered for exceeding the parser's limits must still replay (to be dead-lettered
   * again, not to fail the replay).
   */
  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
              .build());

  private DeadLetterFiles() {}

  // ---- formats -----------------------------------------------------------------------------

  /** The schema of Avro dead letters carrying records of {@code recordSchema}. */
  public static Schema avroSchema(Schema recordSchema) {
    if ((AVRO_NAMESPACE + "." + AVRO_NAME).equals(recordSchema.getFullName())) {
      throw new IllegalArgumentException(
          "The input records are dead letters themselves: replay them with --replayDeadLetters");
    }
    return SchemaBuilder.record(AVRO_NAME)
        .namespace(AVRO_NAMESPACE)
        .doc("A record the QKMS re-key job could not re-encrypt, and why")
        .fields()
        .requiredString("time")
        .requiredString("errorCode")
        .optionalString("fieldPath")
        .requiredString("message")
        .optionalString("sourceKeyArn")
        .requiredInt("attempts")
        .name("record")
        .type(recordSchema)
        .noDefault()
        .endRecord();
  }

  /** Whether {@code schema} is the schema of Avro dead letters. */
  public static boolean isDeadLetterSchema(Schema schema) {
    return schema.getType() == Schema.Type.RECORD
        && (AVRO_NAMESPACE + "." + AVRO_NAME).equals(schema.getFullName())
        && schema.getField("record") != null;
  }

  /** The schema of the records Avro dead letters carry. */
  public static Schema recordSchemaOf(Schema deadLetterSchema) {
    if (!isDeadLetterSchema(deadLetterSchema)) {
      throw new IllegalArgumentException(
          "Not a QKMS dead-letter file: its schema is " + deadLetterSchema.getFullName());
    }
    return deadLetterSchema.getField("record").schema();
  }

  public static GenericRecord toAvro(DeadLetter<GenericRecord> d, Schema deadLetterSchema) {
    GenericData.Record r = new GenericData.Record(deadLetterSchema);
    r.put("time", d.time().toString());
    r.put("errorCode", d.errorCode());
    r.put("fieldPath", d.fieldPath());
    r.put("message", d.message());
    r.put("sourceKeyArn", d.sourceKeyArn());
    r.put("attempts", d.attempts());
    r.put("record", d.record());
    return r;
  }

  public static String toJsonLine(DeadLetter<String> d) {
    ObjectNode n = JSON.createObjectNode();
    n.put("time", d.time().toString());
    n.put("errorCode", d.errorCode());
    n.put("fieldPath", d.fieldPath());
    n.put("message", d.message());
    n.put("sourceKeyArn", d.sourceKeyArn());
    n.put("attempts", d.attempts());
    n.put("record", d.record());
    try {
      return escapeLoneSurrogates(JSON.writeValueAsString(n));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a dead letter as JSON", e);
    }
  }

  /**
   * {@code json} with every lone surrogate (a byte of the original line that was not UTF-8, see
   * {@link LosslessUtf8}) written as a JSON escape, <code>&#92;udce9</code>: the dead-letter file
   * stays UTF-8, and a JSON reader gets the same string back (in Python, {@code
   * record.encode("utf-8", "surrogateescape")} is the original line's bytes). Such characters can
   * only be inside JSON strings, where a character and its escape mean the same.
   */
  static String escapeLoneSurrogates(String json) {
    int i = LosslessUtf8.firstLoneSurrogate(json, 0);
    if (i < 0) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length() + 64);
    int last = 0;
    for (; i >= 0; i = LosslessUtf8.firstLoneSurrogate(json, i + 1)) {
      out.append(json, last, i).append(String.format("\\u%04x", (int) json.charAt(i)));
      last = i + 1;
    }
    return out.append(json, last, json.length()).toString();
  }

  /**
   * The original line a JSON dead letter carries.
   *
   * @throws IllegalArgumentException if {@code line} is not a QKMS dead letter
   */
  public static String recordOfJsonLine(String line) {
    JsonNode n = parseJsonLine(line);
    JsonNode record = n == null ? null : n.get("record");
    if (record == null || !record.isTextual() || n.get("errorCode") == null) {
      throw new IllegalArgumentException(
          "A line of the dead letters is not a QKMS dead letter (no record and errorCode)");
    }
    String text = record.textValue();
    int lone = LosslessUtf8.firstLoneSurrogate(text, 0);
    while (lone >= 0) {
      char c = text.charAt(lone);
      if (c < 0xDC80 || c > 0xDCFF) {
        // Not a byte the job read: the line could not be written back as it was.
        throw new IllegalArgumentException(
            "A dead letter's record holds a lone surrogate that stands for no byte (at index "
                + lone
                + "): it is not a line the job read");
      }
      lone = LosslessUtf8.firstLoneSurrogate(text, lone + 1);
    }
    return text;
  }

  /** A parsed JSON dead letter, for tools and tests. */
  public static JsonNode parseJsonLine(String line) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("A dead-letter line is not valid JSON");
    }
  }

  // ---- sinks -------------------------------------------------------------------------------

  /** Writes JSON dead letters into {@code directory} (temp files, then renamed). */
  public static PTransform<PCollection<DeadLetter<String>>, PDone> writeJsonLines(
      String directory) {
    Objects.requireNonNull(directory, "directory");
    return new PTransform<>("WriteDeadLetters") {
      @Override
      public PDone expand(PCollection<DeadLetter<String>> input) {
        return input
            .apply(
                "ToJson",
                MapElements.into(TypeDescriptors.strings()).via(DeadLetterFiles::toJsonLine))
            .setCoder(LosslessUtf8Coder.of())
            .apply("Write", TextLines.write(prefix(directory), ".jsonl"));
      }
    };
  }

  /** Writes Avro dead letters of {@code recordSchema} records into {@code directory}. */
  public static PTransform<PCollection<DeadLetter<GenericRecord>>, PDone> writeAvro(
      String directory, Schema recordSchema) {
    return writeAvro(directory, recordSchema, Map.of());
  }

  /**
   * As {@link #writeAvro(String, Schema)}, with {@code metadata} in every file's header (what a
   * replay needs to know of the run, such as the format of its output).
   */
  public static PTransform<PCollection<DeadLetter<GenericRecord>>, PDone> writeAvro(
      String directory, Schema recordSchema, Map<String, String> metadata) {
    Objects.requireNonNull(directory, "directory");
    Map<String, Object> header = new java.util.LinkedHashMap<>(metadata);
    String wrapperJson = avroSchema(recordSchema).toString();
    return new PTransform<>("WriteDeadLetters") {
      @Override
      public PDone expand(PCollection<DeadLetter<GenericRecord>> input) {
        Schema wrapper = new Schema.Parser().parse(wrapperJson);
        input
            .apply("ToAvro", MapElements.via(new ToAvro(wrapperJson)))
            .setCoder(AvroCoder.of(wrapper))
            .apply(
                "Write",
                AvroIO.writeGenericRecords(wrapper)
                    .to(prefix(directory))
                    .withSuffix(".avro")
                    .withMetadata(header));
        return PDone.in(input.getPipeline());
      }
    };
  }

  private static final class ToAvro
      extends SimpleFunction<DeadLetter<GenericRecord>, GenericRecord> {
    private static final long serialVersionUID = 1L;
    private final String schemaJson;
    private transient Schema schema;

    ToAvro(String schemaJson) {
      this.schemaJson = schemaJson;
    }

    @Override
    public GenericRecord apply(DeadLetter<GenericRecord> d) {
      if (schema == null) {
        schema = new Schema.Parser().parse(schemaJson);
      }
      return toAvro(d, schema);
    }
  }

  // ---- replay ------------------------------------------------------------------------------

  /**
   * The original lines of the JSON dead letters in {@code files}, exactly as they were read (bytes
   * that were not UTF-8 included).
   */
  public static PTransform<PBegin, PCollection<String>> readJsonLines(
      List<AvroSplits.InputFile> files) {
    TextLines.Read read = TextLines.read(files);
    return new PTransform<>("ReadDeadLetters") {
      @Override
      public PCollection<String> expand(PBegin input) {
        return input
            .apply("Read", read)
            .apply(
                "Original",
                MapElements.into(TypeDescriptors.strings()).via(DeadLetterFiles::recordOfJsonLine))
            .setCoder(LosslessUtf8Coder.of());
      }
    };
  }

  /** The original records of the Avro dead letters (of {@code deadLetterSchema}) matching. */
  public static PTransform<PBegin, PCollection<GenericRecord>> readAvro(
      String filePattern, Schema deadLetterSchema) {
    Schema recordSchema = recordSchemaOf(deadLetterSchema);
    return new PTransform<>("ReadDeadLetters") {
      @Override
      public PCollection<GenericRecord> expand(PBegin input) {
        return input
            .apply("Read", AvroIO.readGenericRecords(deadLetterSchema).from(filePattern))
            .apply("Original", MapElements.via(new Original()))
            .setCoder(AvroCoder.of(recordSchema));
      }
    };
  }

  private static final class Original extends SimpleFunction<GenericRecord, GenericRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public GenericRecord apply(GenericRecord deadLetter) {
      return (GenericRecord) deadLetter.get("record");
    }
  }

  private static String prefix(String directory) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(
            PREFIX, org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }
}
