package io.qkms.pipeline;

import io.qkms.pipeline.report.RunReport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;

/**
 * Counts the records in a run's files once it has finished: the input, and the final output and
 * dead-letter files (Beam's sinks rename a file into place only when the work that wrote it
 * succeeded, so these are what the run committed). Avro container files are counted from their
 * block headers and text files by their line breaks, as Beam's TextIO splits them; nothing is
 * decoded, so this reads at disk speed. It is the ground truth that the runner's metrics, which on
 * Flink are "attempted" values, are checked against.
 */
final class CommittedCounts {
  private static final int SYNC_SIZE = 16;

  private CommittedCounts() {}

  static RunReport.Committed of(JobPlan plan) throws IOException {
    String extension = plan.format().extension();
    return new RunReport.Committed(
        records(plan.inputPattern(), plan.format()),
        records(parts(plan.output(), extension), plan.format()),
        records(parts(plan.deadLetter(), extension), plan.format()));
  }

  /** The part files a sink writes into {@code directory}. */
  private static String parts(String directory, String extension) {
    return FileSystems.matchNewResource(directory, true)
        .resolve("part-*" + extension, StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  /** Records in the files matching {@code pattern} (none: 0). */
  static long records(String pattern, JobPlan.InputFormat format) throws IOException {
    MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
    if (m.status() == MatchResult.Status.NOT_FOUND) {
      return 0;
    }
    long n = 0;
    for (MatchResult.Metadata f : m.metadata()) {
      if (f.resourceId().isDirectory()) {
        continue;
      }
      try (InputStream raw = Channels.newInputStream(FileSystems.open(f.resourceId()))) {
        if (format == JobPlan.InputFormat.AVRO) {
          n += avroRecords(raw);
        } else {
          Compression c = Compression.detect(f.resourceId().getFilename());
          try (InputStream in =
              Channels.newInputStream(c.readDecompressed(Channels.newChannel(raw)))) {
            n += lines(in);
          }
        }
      }
    }
    return n;
  }

  /** Records in an Avro container file: the sum of its blocks' counts. */
  static long avroRecords(InputStream in) throws IOException {
    BinaryDecoder d = DecoderFactory.get().binaryDecoder(in, null);
    byte[] magic = new byte[DataFileConstants.MAGIC.length];
    d.readFixed(magic);
    if (!Arrays.equals(magic, DataFileConstants.MAGIC)) {
      throw new IOException("Not an Avro container file");
    }
    for (long n = d.readMapStart(); n != 0; n = d.mapNext()) {
      for (long i = 0; i < n; i++) {
        d.skipString();
        d.skipBytes();
      }
    }
    d.skipFixed(SYNC_SIZE);
    long records = 0;
    while (!d.isEnd()) {
      records += d.readLong();
      long size = d.readLong();
      while (size > 0) {
        int step = (int) Math.min(size, Integer.MAX_VALUE);
        d.skipFixed(step);
        size -= step;
      }
      d.skipFixed(SYNC_SIZE);
    }
    return records;
  }

  /**
   * Lines as TextIO reads them: each of {@code \n}, {@code \r\n} and {@code \r} ends one, and text
   * after the last break is one more.
   */
  static long lines(InputStream in) throws IOException {
    InputStream s = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
    byte[] buf = new byte[1 << 16];
    long lines = 0;
    int previous = -1;
    int r;
    while ((r = s.read(buf)) > 0) {
      for (int i = 0; i < r; i++) {
        byte b = buf[i];
        if (b == '\r' || (b == '\n' && previous != '\r')) {
          lines++;
        }
        previous = b;
      }
    }
    if (previous != -1 && previous != '\n' && previous != '\r') {
      lines++;
    }
    return lines;
  }
}
