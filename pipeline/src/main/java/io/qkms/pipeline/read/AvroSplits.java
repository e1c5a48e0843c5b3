package io.qkms.pipeline.read;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads Avro container files as byte ranges in a plain ParDo: the files are cut into splits when
 * the job is planned, and each split reads the blocks whose sync marker lies in its range (the
 * usual Avro split rule, so every record is read exactly once).
 *
 * <p>Why not {@code AvroIO.read}: on the Flink runner, Beam's source wrapper recomputes the metric
 * results of every step of the task after <em>each</em> record it reads (to publish them to Flink),
 * which took about a fifth of the job's time; a DoFn's metrics are published per bundle.
 */
public final class AvroSplits extends PTransform<PBegin, PCollection<GenericRecord>> {
  private static final long serialVersionUID = 1L;
  private static final long MIN_SPLIT_BYTES = 1L << 20;
  private static final long MAX_SPLIT_BYTES = 64L << 20;
  private static final int TARGET_SPLITS = 64;

  /** A file and its size, as matched when the job was planned. */
  public record InputFile(String path, long sizeBytes) implements Serializable {
    public InputFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Bytes [start, end) of a file planned at {@code fileBytes}. */
  record Split(String path, long start, long end, long fileBytes) implements Serializable {}

  private final List<InputFile> files;
  private final String schemaJson;
  private final long splitBytes;
  private final MetricName recordsCounter; // null: no counting

  private AvroSplits(
      List<InputFile> files, String schemaJson, long splitBytes, MetricName counter) {
    this.files = List.copyOf(files);
    this.schemaJson = schemaJson;
    this.splitBytes = splitBytes;
    this.recordsCounter = counter;
  }

  /**
   * Reads {@code files} with {@code schema} as the reader schema, in splits of 1 to 64 MiB, about
   * {@value #TARGET_SPLITS} in all (enough to spread over a cluster's subtasks).
   */
  public static AvroSplits read(List<InputFile> files, Schema schema) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No input files");
    }
    long total = files.stream().mapToLong(InputFile::sizeBytes).sum();
    return new AvroSplits(files, schema.toString(), splitSizeBytes(total), null);
  }

  /**
   * The split size for {@code totalBytes} of input: 1 to 64 MiB, about {@value #TARGET_SPLITS}
   * splits in all. Public so the benchmark's baseline cuts its input the same way.
   */
  public static long splitSizeBytes(long totalBytes) {
    return Math.max(MIN_SPLIT_BYTES, Math.min(MAX_SPLIT_BYTES, totalBytes / TARGET_SPLITS + 1));
  }

  /** As {@link #read(List, Schema)} with splits of {@code splitBytes} (tests use tiny ones). */
  static AvroSplits read(List<InputFile> files, Schema schema, long splitBytes) {
    if (files.isEmpty() || splitBytes < 1) {
      throw new IllegalArgumentException("No input files, or a split size below 1");
    }
    return new AvroSplits(files, schema.toString(), splitBytes, null);
  }

  /**
   * Also counts the records read in the Beam counter {@code namespace:name}. Counting here rather
   * than in a step after the read saves the runner a step's work on every record.
   */
  public AvroSplits withRecordsCounter(String namespace, String name) {
    return new AvroSplits(files, schemaJson, splitBytes, MetricName.named(namespace, name));
  }

  /** Cuts the files into splits of {@code size} bytes (the last of a file may be shorter). */
  static List<Split> splits(List<InputFile> files, long size) {
    List<Split> out = new ArrayList<>();
    for (InputFile f : files) {
      long start = 0;
      do {
        long end = Math.min(f.sizeBytes(), start + size);
        out.add(new Split(f.path(), start, end, f.sizeBytes()));
        start = end;
      } while (start < f.sizeBytes());
    }
    return out;
  }

  @Override
  public PCollection<GenericRecord> expand(PBegin input) {
    Schema schema = new Schema.Parser().parse(schemaJson);
    List<Split> splits = splits(files, splitBytes);
    // Split numbers from a counting source, which Flink spreads evenly over its subtasks (a
    // Create of the splits themselves landed mostly on one subtask).
    return input
        .apply("SplitNumbers", GenerateSequence.from(0).to(splits.size()))
        .apply("ReadSplits", ParDo.of(new ReadSplitFn(splits, schemaJson, recordsCounter)))
        .setCoder(AvroCoder.of(schema));
  }

  private static final class ReadSplitFn extends DoFn<Long, GenericRecord> {
    private static final long serialVersionUID = 1L;
    private final List<Split> splits;
    private final String schemaJson;
    private final Counter records; // null: no counting
    private transient Schema schema;

    ReadSplitFn(List<Split> splits, String schemaJson, MetricName counter) {
      this.splits = List.copyOf(splits);
      this.schemaJson = schemaJson;
      this.records =
          counter == null ? null : Metrics.counter(counter.getNamespace(), counter.getName());
    }

    @Setup
    public void setup() {
      schema = new Schema.Parser().parse(schemaJson);
    }

    @ProcessElement
    public void process(@Element Long number, OutputReceiver<GenericRecord> out)
        throws IOException {
      Split split = splits.get(number.intValue());
      long n = 0;
      try (SplitReader reader = open(split)) {
        for (GenericRecord r = next(reader, split); r != null; r = next(reader, split)) {
          out.output(r); // a new record each time: the runner may still hold the last
          n++;
        }
      } finally {
        // What was emitted counts, even if the split then fails (a retry reads it again, as a
        // counting step after the read would count it again).
        if (records != null && n > 0) {
          records.inc(n);
        }
      }
    }

    /** The next record; a failure names the file (Avro's own messages, "Invalid sync!", do not). */
    private static GenericRecord next(SplitReader reader, Split split) throws IOException {
      try {
        return reader.next(null);
      } catch (IOException | AvroRuntimeException e) {
        throw InputErrors.naming(split.path(), e);
      }
    }

    private SplitReader open(Split split) throws IOException {
      MatchResult.Metadata m = FileSystems.matchSingleFileSpec(split.path());
      if (m.sizeBytes() != split.fileBytes()) {
        throw InputErrors.changed(split.path(), split.fileBytes(), m.sizeBytes(), "bytes");
      }
      try {
        return SplitReader.open(
            (SeekableByteChannel) FileSystems.open(m.resourceId()),
            schema,
            split.start(),
            split.end(),
            split.path());
      } catch (IOException | AvroRuntimeException e) {
        throw InputErrors.naming(split.path(), e);
      }
    }
  }
}
