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
import java.util.stream.IntStream;
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
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.filter.UnboundRecordFilter;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
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
 * <p>When there are fewer splits than the runner has subtasks (one 128 MiB row group would leave
 * all subtasks but one idle), each row group is cut into consecutive slices of rows, one split
 * each. Where the file has page indexes (parquet-mr writes them since 1.11), a slice's reader reads
 * only the pages that hold its rows, column by column, and parquet-mr passes over the rows of those
 * pages outside the slice; without them it reads the whole row group and passes over the rows
 * before its own without assembling them. Both were measured cheaper than spreading the records
 * through a rebalancing exchange (an encode and a decode of every record). Cutting row groups into
 * more slices than that, to bound a reader's memory, was measured slower: each slice opens the
 * file, its footer and its page indexes again.
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

  /**
   * Row groups [first, end) of a file planned at {@code fileBytes} with {@code fileRowGroups}, all
   * their {@code rows}; or a slice of one row group ({@code end == first + 1}) of {@code groupRows}
   * rows: its {@code rows} rows after the first {@code skip}.
   */
  record Split(
      String path,
      long fileBytes,
      int fileRowGroups,
      int first,
      int end,
      long groupRows,
      long skip,
      long rows)
      implements Serializable {
    /** Whole row groups. */
    Split(String path, long fileBytes, int fileRowGroups, int first, int end, long rows) {
      this(path, fileBytes, fileRowGroups, first, end, -1, 0, rows);
    }

    boolean isSlice() {
      return groupRows >= 0;
    }
  }

  private final List<PlannedFile> files;
  private final String schemaJson;
  private final long splitBytes;
  private final int minSplits; // 0: as many as the runner has subtasks
  private final MetricName recordsCounter; // null: no counting

  private ParquetSplits(
      List<PlannedFile> files,
      String schemaJson,
      long splitBytes,
      int minSplits,
      MetricName recordsCounter) {
    this.files = List.copyOf(files);
    this.schemaJson = schemaJson;
    this.splitBytes = splitBytes;
    this.minSplits = minSplits;
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
    return new ParquetSplits(files, schema.toString(), AvroSplits.splitSizeBytes(total), 0, null);
  }

  /**
   * As {@link #read(List, Schema)} with splits of about {@code splitBytes} and at least {@code
   * minSplits} where the rows allow (tests: tiny splits, slices on any runner).
   */
  static ParquetSplits read(
      List<PlannedFile> files, Schema schema, long splitBytes, int minSplits) {
    if (files.isEmpty() || splitBytes < 1 || minSplits < 1) {
      throw new IllegalArgumentException("No input files, or a split size or count below 1");
    }
    return new ParquetSplits(files, schema.toString(), splitBytes, minSplits, null);
  }

  /** Also counts the records read in the Beam counter {@code namespace:name}. */
  public ParquetSplits withRecordsCounter(String namespace, String name) {
    return new ParquetSplits(
        files, schemaJson, splitBytes, minSplits, MetricName.named(namespace, name));
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
   * Row group {@code g} of {@code f} in {@code k} consecutive slices (fewer if it has fewer rows).
   */
  private static List<Split> slices(PlannedFile f, int g, int k) {
    long n = f.rows().get(g);
    int count = (int) Math.max(1, Math.min(k, n));
    List<Split> out = new ArrayList<>();
    for (int j = 0; j < count; j++) {
      long from = n * j / count;
      long to = n * (j + 1) / count;
      out.add(new Split(f.path(), f.sizeBytes(), f.rowGroups(), g, g + 1, n, from, to - from));
    }
    return out;
  }

  /**
   * {@code splits} of {@code files} if there are at least {@code subtasks} of them; else one split
   * per row group, each cut into consecutive slices of rows so that there are at least {@code
   * subtasks} splits where the rows allow (a row group of n rows gives at most n slices).
   */
  static List<Split> spread(List<PlannedFile> files, List<Split> splits, int subtasks) {
    int groups = files.stream().mapToInt(PlannedFile::rowGroups).sum();
    if (splits.size() >= subtasks || groups == 0) {
      return splits;
    }
    int slices = (subtasks + groups - 1) / groups;
    List<Split> out = new ArrayList<>();
    for (PlannedFile f : files) {
      for (int g = 0; g < f.rowGroups(); g++) {
        out.addAll(slices(f, g, slices));
      }
    }
    return out;
  }

  /**
   * The subtasks a run reads with: on Flink its parallelism (when unset, the cores); 1 elsewhere.
   * The Direct runner's threads take bundles of any step, so cutting row groups would only read
   * them again there.
   */
  static int subtasks(PipelineOptions options) {
    String runner = options.getRunner().getSimpleName();
    if (!runner.startsWith("Flink") && !runner.startsWith("TestFlink")) {
      return 1;
    }
    int parallelism = options.as(FlinkPipelineOptions.class).getParallelism();
    return parallelism > 0 ? parallelism : Runtime.getRuntime().availableProcessors();
  }

  @Override
  public PCollection<GenericRecord> expand(PBegin input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    int subtasks = minSplits > 0 ? minSplits : subtasks(input.getPipeline().getOptions());
    List<Split> splits = spread(files, splits(files, splitBytes), subtasks);
    // Split numbers from a counting source, which Flink spreads evenly over its subtasks (as
    // AvroSplits does).
    return input
        .apply("SplitNumbers", GenerateSequence.from(0).to(splits.size()))
        .apply("ReadRowGroups", ParDo.of(new ReadSplitFn(splits, recordsCounter)))
        .setCoder(AvroCoder.of(schema));
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder
        .add(DisplayData.item("files", files.size()).withLabel("Input files"))
        .add(DisplayData.item("splitBytes", splitBytes).withLabel("Split size (bytes)"));
  }

  static final class ReadSplitFn extends DoFn<Long, GenericRecord> {
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
        for (int g = split.first(); g < split.end(); g++) {
          BlockMetaData group = reader.getRowGroups().get(g);
          if (split.isSlice() && group.getRowCount() != split.groupRows()) {
            throw new IOException(
                split.path()
                    + ": row group "
                    + g
                    + " holds "
                    + group.getRowCount()
                    + " rows, the footer said "
                    + split.groupRows()
                    + " when the job was planned");
          }
          long skip = split.isSlice() ? split.skip() : 0;
          long take = split.isSlice() ? split.rows() : group.getRowCount();
          PageReadStore pages;
          FilterCompat.Filter filter = FilterCompat.NOOP;
          if (!split.isSlice()) {
            pages = reader.readRowGroup(g);
          } else if (hasPageIndexes(group)) {
            pages = reader.readFilteredRowGroup(g, rows(group.getRowCount(), skip, take));
          } else {
            pages = reader.readRowGroup(g);
            filter = skip == 0 ? FilterCompat.NOOP : skipFirst(skip);
          }
          if (pages == null) {
            throw new IOException(split.path() + " ends before its row group " + g);
          }
          RecordReader<GenericRecord> records =
              columns.getRecordReader(pages, materializer, filter);
          for (long r = skip; r < skip + take; r++) {
            GenericRecord record = records.read();
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

    /** Whether every column chunk of {@code group} has an offset index (where its pages start). */
    static boolean hasPageIndexes(BlockMetaData group) {
      return group.getColumns().stream().allMatch(c -> c.getOffsetIndexReference() != null);
    }

    /**
     * Rows [{@code from}, {@code from + count}) of a row group of {@code groupRows} rows, as
     * parquet-mr's row ranges: built from a one-page offset index covering them, the public way to
     * make ranges that do not start at row 0.
     */
    static RowRanges rows(long groupRows, long from, long count) {
      OffsetIndex onePage =
          new OffsetIndex() {
            @Override
            public int getPageCount() {
              return 1;
            }

            @Override
            public long getOffset(int page) {
              return 0;
            }

            @Override
            public int getCompressedPageSize(int page) {
              return 0;
            }

            @Override
            public long getFirstRowIndex(int page) {
              return from;
            }

            @Override
            public long getLastRowIndex(int page, long rowGroupRows) {
              return from + count - 1;
            }
          };
      return RowRanges.create(groupRows, IntStream.of(0).iterator(), onePage);
    }

    /**
     * A filter that passes over the first {@code n} rows: the record reader skips their values
     * column by column instead of assembling them.
     */
    private static FilterCompat.Filter skipFirst(long n) {
      UnboundRecordFilter filter =
          readers -> {
            long[] seen = {0}; // the reader asks once per row, in order, until one matches
            return () -> seen[0]++ >= n;
          };
      return FilterCompat.get(filter);
    }
  }
}
