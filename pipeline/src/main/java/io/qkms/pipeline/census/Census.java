package io.qkms.pipeline.census;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.RecordFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * The census as a transform: records in, one {@link CensusCounts} out, written as JSON to a file
 * the launcher reads back when the pipeline is done. The counts travel with the data (summed by a
 * combine), not as metrics, so work a runner retries is counted once.
 *
 * @param <T> the record type
 */
public final class Census<T> extends PTransform<PCollection<T>, PDone> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RecordFormat<T> format;
  private final List<FieldPath> fields;
  private final String countsFile;

  private Census(RecordFormat<T> format, List<FieldPath> fields, String countsFile) {
    this.format = format;
    this.fields = List.copyOf(fields);
    this.countsFile = countsFile;
  }

  /** A census of records of {@code format}, its counts written to {@code countsFile}. */
  public static <T> Census<T> of(
      RecordFormat<T> format, List<FieldPath> fields, String countsFile) {
    return new Census<>(format, fields, countsFile);
  }

  @Override
  public PDone expand(PCollection<T> records) {
    try {
      format.compile(fields, List.of()); // a path the schema cannot have fails here
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("--fields: " + e.getMessage(), e);
    }
    records
        .apply("CountHeaders", ParDo.of(new CensusFn<>(format, fields)))
        .setCoder(SerializableCoder.of(CensusCounts.class))
        .apply("Sum", Combine.globally(new SumFn()))
        .setCoder(SerializableCoder.of(CensusCounts.class))
        .apply("WriteCounts", ParDo.of(new WriteFn(countsFile)));
    return PDone.in(records.getPipeline());
  }

  /** Reads back what the pipeline wrote. */
  public static CensusCounts read(String countsFile) throws IOException {
    ResourceId id = FileSystems.matchSingleFileSpec(countsFile).resourceId();
    try (InputStream in = Channels.newInputStream(FileSystems.open(id))) {
      return JSON.readValue(in, CensusCounts.class);
    }
  }

  private static final class SumFn
      extends Combine.CombineFn<CensusCounts, CensusCounts, CensusCounts> {
    private static final long serialVersionUID = 1L;

    @Override
    public CensusCounts createAccumulator() {
      return new CensusCounts();
    }

    @Override
    public CensusCounts addInput(CensusCounts acc, CensusCounts in) {
      return acc.merge(in);
    }

    @Override
    public CensusCounts mergeAccumulators(Iterable<CensusCounts> accs) {
      CensusCounts out = new CensusCounts();
      for (CensusCounts a : accs) {
        out.merge(a);
      }
      return out;
    }

    @Override
    public CensusCounts extractOutput(CensusCounts acc) {
      return acc;
    }
  }

  /** Writes the one summed element (a retry writes the same file again). */
  private static final class WriteFn extends DoFn<CensusCounts, Void> {
    private static final long serialVersionUID = 1L;
    private final String file;

    WriteFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element CensusCounts counts) throws IOException {
      ResourceId id = FileSystems.matchNewResource(file, false);
      try (OutputStream os = Channels.newOutputStream(FileSystems.create(id, MimeTypes.TEXT))) {
        os.write(JSON.writeValueAsBytes(counts));
      }
    }
  }
}
