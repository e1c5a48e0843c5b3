package io.qkms.pipeline.formats;

import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.read.AvroContainer;
import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.report.ReKeyMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.io.AvroIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Avro container files of records ({@code GenericRecord}): the writer schema of the first file is
 * the schema of the run; files are read in byte-range splits ({@link AvroSplits}), each checked to
 * be whole first; the output is snappy, Beam's default.
 */
final class AvroFormat implements Format {
  static final AvroFormat INSTANCE = new AvroFormat();

  private AvroFormat() {}

  @Override
  public String name() {
    return "avro";
  }

  @Override
  public List<String> names() {
    return List.of("avro");
  }

  @Override
  public RecordCounter counter() {
    return AvroRecordFiles.AVRO_BLOCKS;
  }

  @Override
  public List<String> extensions() {
    return List.of(".avro");
  }

  @Override
  public RecordFiles<GenericRecord> input(String pattern, List<InputFile> files, String flag) {
    checkWhole(files, flag);
    Schema schema = header(files.get(0).path(), flag).schema();
    if (DeadLetterFiles.isDeadLetterSchema(schema)) {
      throw new IllegalArgumentException(
          "The input files are dead letters: replay them with --replayDeadLetters");
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(
          "The Avro input must hold records; "
              + files.get(0).path()
              + " holds "
              + schema.getType());
    }
    return new Files(pattern, files, schema, null);
  }

  /** The dead letters of an Avro run, with the schema of their header. */
  RecordFiles<GenericRecord> replay(
      String pattern, List<InputFile> files, Schema deadLetterSchema) {
    return new Files(
        pattern, files, DeadLetterFiles.recordSchemaOf(deadLetterSchema), deadLetterSchema);
  }

  /** An Avro file's header: its writer schema and metadata. */
  record Header(Schema schema, Map<String, String> metadata) {}

  /**
   * @throws IllegalArgumentException naming {@code flag} and the file if it has no Avro header
   */
  static Header header(String path, String flag) {
    try (InputStream in =
            Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(path, false)));
        DataFileStream<GenericRecord> s = new DataFileStream<>(in, new GenericDatumReader<>())) {
      Map<String, String> metadata = new java.util.LinkedHashMap<>();
      for (String key : s.getMetaKeys()) {
        if (key.startsWith("qkms.")) {
          metadata.put(key, s.getMetaString(key));
        }
      }
      return new Header(s.getSchema(), metadata);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          flag + ": cannot read the Avro schema of " + path + ": " + e.getMessage());
    }
  }

  /**
   * Every file has a valid Avro header and ends with its sync marker: a file cut off inside a block
   * fails here, naming it and the offsets, rather than being read short.
   */
  static void checkWhole(List<InputFile> files, String flag) {
    for (InputFile f : files) {
      try {
        AvroContainer.checkWhole(f.path(), f.sizeBytes());
      } catch (IOException e) {
        throw new IllegalArgumentException(flag + ": " + e.getMessage());
      }
    }
  }

  private static final class Files extends AvroRecordFiles {
    Files(String pattern, List<InputFile> files, Schema recordSchema, Schema deadLetterSchema) {
      super(pattern, files, recordSchema, deadLetterSchema);
    }

    @Override
    public Format format() {
      return INSTANCE;
    }

    @Override
    PCollection<GenericRecord> readRecords(PBegin begin) {
      return begin.apply(
          "Read",
          AvroSplits.read(files, recordSchema)
              .withRecordsCounter(ReKeyMetrics.NAMESPACE, ReKeyMetrics.RECORDS_READ));
    }

    @Override
    public void write(PCollection<GenericRecord> records, String directory) {
      records.apply(
          "Write",
          AvroIO.writeGenericRecords(recordSchema)
              .to(Formats.partPrefix(directory))
              .withSuffix(outputSuffix()));
    }

    @Override
    public String outputSuffix() {
      return ".avro";
    }

    @Override
    RecordCounter recordCounter() {
      return AVRO_BLOCKS;
    }

    @Override
    List<GenericRecord> sampleRecords(InputFile file, int n) throws IOException {
      return sampleAvro(file, n, recordSchema, false);
    }
  }
}
