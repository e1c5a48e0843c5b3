package io.qkms.pipeline.parquet;

import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.InputErrors;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.RecordMaterializer;

/**
 * Reads Parquet files in splits of whole row groups, planned from the footers read before the run
 * (as {@link AvroSplits} plans byte ranges): consecutive row groups of a file, about 1 to 64 MiB of
 * column chunks a split, about 64 splits in all, so the row groups of one file or of many spread
 * over the subtasks. Each split reads its row groups with parquet-avro, as ParquetIO does, and
 * checks that it read the rows the footer promised.
 *
 * <p>A row group cannot be cut: a file with fewer row groups than the runner has subtasks would
 * leave the others idle (one 128 MiB row group: one subtask reads, re-keys and writes everything).
 * On Flink such a run spreads the records it read over all subtasks ({@link #redistributes(int,
 * PipelineOptions)}).
 */
public final class ParquetSplits extends PTransform<PBegin, PCollection<GenericRecord>> {
  private static final long serialVersionUID = 1L;

  /** A file as planned: its size and, per row group, the rows and bytes of its column chunks. */
  public record PlannedFile(String path, long sizeBytes, List<Long> rows, List<Long> bytes)
      implements Serializable {
    public PlannedFile {
      Objects.requireNonNull(path, "path");
      rows = List.copyOf(rows);
      bytes = List.copyOf(bytes);
      if (rows.size() != bytes.size()) {
        throw new IllegalArgumentException("rows and bytes of unequal row-group counts");
      }
    }

    /** The file on {@code path}, {@code sizeBytes} long, with this (checked) footer. */
    public static PlannedFile of(String path, long sizeBytes, ParquetMetadata footer) {
      List<Long> rows = new ArrayList<>();
      List<Long> bytes = new ArrayList<>();
      for (BlockMetaData b : footer.getBlocks()) {
        rows.add(b.getRowCount());
        bytes.add(b.getCompressedSize());
      }
      return new PlannedFile(path, sizeBytes, rows, bytes);
    }

    int rowGroups() {
      return rows.size();
    }
  }

  /** Row groups [first, end) of a file planned at {@code fileBytes} with {@code fileRowGroups}. */
  record Split(String path, long fileBytes, int fileRowGroups, int first, int end, long rows)
      implements Serializable {}

  private final List<PlannedFile> files;
  private final String schemaJson;
  private final long splitBytes;
  private final MetricName recordsCounter; // null: no counting

  private ParquetSplits(
      List<PlannedFile> files, String schemaJson, long splitBytes, MetricName recordsCounter) {
    this.files = List.copyOf(files);
    this.schemaJson = schemaJson;
    this.splitBytes = splitBytes;
    this.recordsCounter = recordsCounter;
  }

  /**
   * Reads {@code files} as records of {@code schema} (the schema parquet-avro reads them with), in
   * splits of whole row groups, about 1 to 64 MiB each ({@link AvroSplits#splitSizeBytes}).
   */
  public static ParquetSplits read(List<PlannedFile> files, Schema schema) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No input files");
    }
    long total = files.stream().flatMap(f -> f.bytes().stream()).mapToLong(Long::longValue).sum();
    return new ParquetSplits(files, schema.toString(), AvroSplits.splitSizeBytes(total), null);
  }

  /** As {@link #read(List, Schema)} with splits of about {@code splitBytes} (tests: tiny ones). */
  static ParquetSplits read(List<PlannedFile> files, Schema schema, long splitBytes) {
    if (files.isEmpty() || splitBytes < 1) {
      throw new IllegalArgumentException("No input files, or a split size below 1");
    }
    return new ParquetSplits(files, schema.toString(), splitBytes, null);
  }

  /** Also counts the records read in the Beam counter {@code namespace:name}. */
  public ParquetSplits withRecordsCounter(String namespace, String name) {
    return new ParquetSplits(files, schemaJson, splitBytes, MetricName.named(namespace, name));
  }

  /**
   * The files' row groups in splits: consecutive row groups of one file, a new split whenever the
   * next row group would take the split past {@code size} bytes (so a split holds at least one).
   */
  static List<Split> splits(List<PlannedFile> files, long size) {
    List<Split> out = new ArrayList<>();
    for (PlannedFile f : files) {
      int first = 0;
      long bytes = 0;
      long rows = 0;
      for (int i = 0; i < f.rowGroups(); i++) {
        long b = f.bytes().get(i);
        if (i > first && bytes + b > size) {
          out.add(new Split(f.path(), f.sizeBytes(), f.rowGroups(), first, i, rows));
          first = i;
          bytes = 0;
          rows = 0;
        }
        bytes += b;
        rows += f.rows().get(i);
      }
      if (f.rowGroups() > first) {
        out.add(new Split(f.path(), f.sizeBytes(), f.rowGroups(), first, f.rowGroups(), rows));
      }
    }
    return out;
  }

  /**
   * True if a run with {@code splits} splits should spread the records read over the subtasks: on
   * Flink, when there are fewer splits than subtasks (its parallelism; when unset, the cores). The
   * records then cross a rebalancing exchange (Flink's translation of a Reshuffle), which costs an
   * encode and a decode of each but lets every subtask re-key and write. Not on the Direct runner,
   * where a Reshuffle groups every record by key in memory (measured catastrophically slow there),
   * and its threads take bundles of any step anyway.
   */
  static boolean redistributes(int splits, PipelineOptions options) {
    String runner = options.getRunner().getSimpleName();
    if (!runner.startsWith("Flink") && !runner.startsWith("TestFlink")) {
      return false;
    }
    int parallelism = options.as(FlinkPipelineOptions.class).getParallelism();
    if (parallelism <= 0) {
      parallelism = Runtime.getRuntime().availableProcessors();
    }
    return splits < parallelism;
  }

  @Override
  public PCollection<GenericRecord> expand(PBegin input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    List<Split> splits = splits(files, splitBytes);
    // Split numbers from a counting source, which Flink spreads evenly over its subtasks (as
    // AvroSplits does).
    PCollection<GenericRecord> records =
        input
            .apply("SplitNumbers", GenerateSequence.from(0).to(splits.size()))
            .apply("ReadRowGroups", ParDo.of(new ReadSplitFn(splits, recordsCounter)))
            .setCoder(AvroCoder.of(schema));
    if (redistributes(splits.size(), input.getPipeline().getOptions())) {
      records = records.apply("Redistribute", Reshuffle.viaRandomKey());
    }
    return records;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", files.size()).withLabel("Input files"))
        .add(DisplayData.item("splitBytes", splitBytes).withLabel("Split size (bytes)"));
  }

  private static final class ReadSplitFn extends DoFn<Long, GenericRecord> {
    private static final long serialVersionUID = 1L;
    private final List<Split> splits;
    private final Counter records; // null: no counting

    ReadSplitFn(List<Split> splits, MetricName counter) {
      this.splits = List.copyOf(splits);
      this.records =
          counter == null ? null : Metrics.counter(counter.getNamespace(), counter.getName());
    }

    @ProcessElement
    public void process(@Element Long number, OutputReceiver<GenericRecord> out)
        throws IOException {
      Split split = splits.get(number.intValue());
      long[] emitted = {0};
      try {
        read(split, out, emitted);
      } catch (IOException | RuntimeException e) {
        throw InputErrors.naming(split.path(), e);
      } finally {
        // What was emitted counts, even if the split then fails (as in AvroSplits).
        if (records != null && emitted[0] > 0) {
          records.inc(emitted[0]);
        }
      }
    }

    private static void read(Split split, OutputReceiver<GenericRecord> out, long[] emitted)
        throws IOException {
      MatchResult.Metadata m = FileSystems.matchSingleFileSpec(split.path());
      if (m.sizeBytes() != split.fileBytes()) {
        throw InputErrors.changed(split.path(), split.fileBytes(), m.sizeBytes(), "bytes");
      }
      // As ParquetIO reads generic records: Avro-compatible lists and maps, the file's schema.
      Configuration conf = new Configuration(false);
      conf.setBoolean(AvroReadSupport.AVRO_COMPATIBILITY, true);
      AvroReadSupport<GenericRecord> support = new AvroReadSupport<>(GenericData.get());
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              new BeamInputFile(split.path(), split.fileBytes()),
              HadoopReadOptions.builder(conf).build())) {
        if (reader.getRowGroups().size() != split.fileRowGroups()) {
          throw InputErrors.changed(
              split.path(), split.fileRowGroups(), reader.getRowGroups().size(), "row groups");
        }
        FileMetaData meta = reader.getFooter().getFileMetaData();
        Map<String, String> keyValues = meta.getKeyValueMetaData();
        Map<String, Set<String>> keyValueSets =
            keyValues.entrySet().stream()
                .collect(
                    Collectors.toMap(Map.Entry::getKey, e -> Collections.singleton(e.getValue())));
        ReadSupport.ReadContext context =
            support.init(new InitContext(conf, keyValueSets, meta.getSchema()));
        RecordMaterializer<GenericRecord> materializer =
            support.prepareForRead(conf, keyValues, meta.getSchema(), context);
        reader.setRequestedSchema(context.getRequestedSchema());
        MessageColumnIO columns =
            new ColumnIOFactory(meta.getCreatedBy())
                .getColumnIO(context.getRequestedSchema(), meta.getSchema(), true);
        for (int i = 0; i < split.first(); i++) {
          reader.skipNextRowGroup();
        }
        for (int g = split.first(); g < split.end(); g++) {
          PageReadStore pages = reader.readNextRowGroup();
          if (pages == null) {
            throw new IOException(split.path() + " ends before its row group " + g);
          }
          RecordReader<GenericRecord> rows =
              columns.getRecordReader(pages, materializer, FilterCompat.NOOP);
          for (long r = 0; r < pages.getRowCount(); r++) {
            GenericRecord record = rows.read();
            if (record == null) {
              throw new IOException(
                  split.path() + ": row " + r + " of row group " + g + " did not decode");
            }
            out.output(record); // a new record each time: the runner may still hold the last
            emitted[0]++;
          }
        }
      }
      if (emitted[0] != split.rows()) {
        throw new IOException(
            split.path()
                + ": row groups "
                + split.first()
                + " to "
                + (split.end() - 1)
                + " hold "
                + emitted[0]
                + " rows, the footer said "
                + split.rows()
                + " when the job was planned");
      }
    }
  }
}
