package io.qkms.pipeline.formats;

import io.qkms.pipeline.parquet.ParquetFiles;
import io.qkms.pipeline.parquet.ParquetLayout;
import io.qkms.pipeline.parquet.ParquetSplits;
import io.qkms.pipeline.parquet.ParquetSplits.PlannedFile;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.report.ReKeyMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Parquet files, read in splits of row groups ({@link ParquetSplits}) and written with Beam's
 * ParquetIO, through parquet-avro's {@code GenericRecord}s, so field paths, encodings and contexts
 * work as for Avro. Before the run every file's footer is read: the file must be whole, all files
 * must have the first one's schema, and that schema must come back unchanged when parquet-avro
 * writes the records again. The output has the input's Parquet schema and codec, and its row-group
 * size (between 16 and 128 MiB).
 *
 * <p>Dead letters are Avro files ({@code dead-letter/part-*.avro}, as for Avro input), whose header
 * records how to write the records as Parquet again ({@code qkms.format}, {@code qkms.parquet.*}):
 * a handful of records is written one at a time, which suits a row format, without holding a row
 * group in memory per writer, and the original {@code GenericRecord} is stored in its own schema,
 * byte for byte as it was read; a replay then writes Parquet with the first run's settings.
 */
final class ParquetFormat implements Format {
  static final ParquetFormat INSTANCE = new ParquetFormat();

  static final String SCHEMA_KEY = "qkms.parquet.schema";
  static final String CODEC_KEY = "qkms.parquet.codec";
  static final String ROW_GROUP_KEY = "qkms.parquet.rowGroupBytes";
  static final String OLD_LISTS_KEY = "qkms.parquet.oldListStructure";

  /** Counts rows from the footers. */
  static final RecordCounter FOOTERS =
      f -> ParquetFiles.rows(f.resourceId().toString(), f.sizeBytes());

  private ParquetFormat() {}

  @Override
  public String name() {
    return "parquet";
  }

  @Override
  public List<String> names() {
    return List.of("parquet");
  }

  @Override
  public RecordCounter counter() {
    return FOOTERS;
  }

  @Override
  public List<String> extensions() {
    return List.of(".parquet", ".parq");
  }

  @Override
  public RecordFiles<GenericRecord> input(String pattern, List<InputFile> files, String flag) {
    ParquetLayout layout = null;
    String first = null;
    List<PlannedFile> planned = new ArrayList<>();
    for (InputFile f : files) {
      try {
        ParquetMetadata footer = ParquetFiles.footer(f.path(), f.sizeBytes());
        ParquetLayout l = ParquetFiles.layout(f.path(), footer);
        planned.add(PlannedFile.of(f.path(), f.sizeBytes(), footer));
        if (layout == null) {
          layout = l;
          first = f.path();
        } else if (!l.parquetSchema().equals(layout.parquetSchema())
            || !l.avroSchemaJson().equals(layout.avroSchemaJson())) {
          throw new IllegalArgumentException(
              flag
                  + ": "
                  + f.path()
                  + " has another schema than "
                  + first
                  + "; a run reads files of one schema (run the others separately)");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(flag + ": " + e.getMessage());
      }
    }
    return new Files(pattern, files, layout, planned, null);
  }

  /** The dead letters of a Parquet run: its settings are in their header. */
  RecordFiles<GenericRecord> replay(
      String pattern, List<InputFile> files, Schema deadLetterSchema, Map<String, String> header) {
    Schema records = io.qkms.pipeline.deadletter.DeadLetterFiles.recordSchemaOf(deadLetterSchema);
    String schema = header.get(SCHEMA_KEY);
    String codec = header.get(CODEC_KEY);
    String rowGroup = header.get(ROW_GROUP_KEY);
    if (schema == null || codec == null || rowGroup == null) {
      throw new IllegalArgumentException(
          "--replayDeadLetters: "
              + files.get(0).path()
              + " holds dead letters of a Parquet run without its Parquet settings");
    }
    ParquetLayout layout =
        new ParquetLayout(
            records.toString(),
            schema,
            codec,
            Integer.parseInt(rowGroup),
            Boolean.parseBoolean(header.get(OLD_LISTS_KEY)));
    return new Files(pattern, files, layout, List.of(), deadLetterSchema);
  }

  private static final class Files extends AvroRecordFiles {
    private final ParquetLayout layout;
    private final List<PlannedFile> planned; // empty for a replay

    Files(
        String pattern,
        List<InputFile> files,
        ParquetLayout layout,
        List<PlannedFile> planned,
        Schema deadLetterSchema) {
      super(pattern, files, layout.avroSchema(), deadLetterSchema);
      this.layout = layout;
      this.planned = List.copyOf(planned);
    }

    @Override
    public Format format() {
      return INSTANCE;
    }

    @Override
    PCollection<GenericRecord> readRecords(PBegin begin) {
      return begin.apply(
          "Read",
          ParquetSplits.read(planned, recordSchema)
              .withRecordsCounter(ReKeyMetrics.NAMESPACE, ReKeyMetrics.RECORDS_READ));
    }

    @Override
    public void write(PCollection<GenericRecord> records, String directory) {
      records.apply(
          "Write",
          FileIO.<GenericRecord>write()
              .via(
                  ParquetIO.sink(recordSchema)
                      .withCompressionCodec(layout.compression())
                      .withRowGroupSize(layout.rowGroupBytes())
                      .withConfiguration(
                          Map.of(
                              AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE,
                              Boolean.toString(layout.oldListStructure()))))
              .to(directory)
              .withPrefix(Formats.PART)
              .withSuffix(outputSuffix())
              // Windowed writes finalize each parallel instance's files apart, and on Flink with
              // parallelism 2 both named theirs part-00000-of-00001: one overwrote the other.
              .withIgnoreWindowing());
    }

    @Override
    Map<String, String> deadLetterMetadata() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put(SCHEMA_KEY, layout.parquetSchema());
      m.put(CODEC_KEY, layout.codec());
      m.put(ROW_GROUP_KEY, Integer.toString(layout.rowGroupBytes()));
      m.put(OLD_LISTS_KEY, Boolean.toString(layout.oldListStructure()));
      return m;
    }

    @Override
    public String outputSuffix() {
      return ".parquet";
    }

    @Override
    RecordCounter recordCounter() {
      return FOOTERS;
    }

    @Override
    List<GenericRecord> sampleRecords(InputFile file, int n) throws IOException {
      return ParquetFiles.firstRecords(file.path(), file.sizeBytes(), n);
    }

    @Override
    public Map<String, String> settings() {
      Map<String, String> m = new LinkedHashMap<>(super.settings());
      m.put("parquetCodec", layout.codec());
      m.put("parquetRowGroupBytes", Integer.toString(layout.rowGroupBytes()));
      return m;
    }
  }
}
