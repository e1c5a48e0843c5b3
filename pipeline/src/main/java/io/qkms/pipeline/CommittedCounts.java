package io.qkms.pipeline;

import io.qkms.pipeline.read.AvroContainer;
import io.qkms.pipeline.read.InputErrors;
import io.qkms.pipeline.read.TextLines;
import io.qkms.pipeline.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;

/**
 * Counts the records in a run's files once it has finished: the input, and the final output and
 * dead-letter files (Beam's sinks rename a file into place only when the work that wrote it
 * succeeded, so these are what the run committed). Avro container files are counted from their
 * block headers (each block checked to end with the file's sync marker) and text files by their
 * line breaks, by the rules the job's reader splits them with ({@link TextLines}); nothing is
 * decoded, so this reads at disk speed. It is the ground truth that the runner's metrics, which on
 * Flink are "attempted" values, are checked against.
 */
final class CommittedCounts {
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

  /**
   * Records in the files matching {@code pattern} (none: 0).
   *
   * @throws IOException naming the file that cannot be counted, and why
   */
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
      String name = f.resourceId().toString();
      try (InputStream raw = Channels.newInputStream(FileSystems.open(f.resourceId()))) {
        if (format == JobPlan.InputFormat.AVRO) {
          n += AvroContainer.countRecords(raw, name, f.sizeBytes());
        } else {
          Compression c = Compression.detect(f.resourceId().getFilename());
          try (InputStream in =
              Channels.newInputStream(c.readDecompressed(Channels.newChannel(raw)))) {
            n += TextLines.countLines(in);
          }
        }
      } catch (IOException e) {
        throw InputErrors.naming(name, e);
      }
    }
    return n;
  }
}
