package io.qkms.pipeline;

import io.qkms.pipeline.formats.Formats;
import io.qkms.pipeline.formats.RecordCounter;
import io.qkms.pipeline.formats.RecordFiles;
import io.qkms.pipeline.read.InputErrors;
import io.qkms.pipeline.read.TextLines;
import io.qkms.pipeline.report.RunReport;
import java.io.IOException;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;

/**
 * Counts the records in a run's files once it has finished: the input, and the final output and
 * dead-letter files (Beam's sinks rename a file into place only when the work that wrote it
 * succeeded, so these are what the run committed), each by its format's {@link RecordCounter}: Avro
 * container files from their block headers (each block checked to end with the file's sync marker),
 * text files by their line breaks, by the rules the job's reader splits them with ({@link
 * TextLines}), Parquet files from their footers' row counts; nothing is decoded, so this reads at
 * disk speed. It is the ground truth that the runner's metrics, which on Flink are "attempted"
 * values, are checked against.
 */
final class CommittedCounts {
  private CommittedCounts() {}

  static RunReport.Committed of(JobPlan plan) throws IOException {
    RecordFiles<?> files = plan.input();
    return new RunReport.Committed(
        records(plan.inputPattern(), files.inputCounter()),
        records(parts(plan.output(), files.outputSuffix()), files.outputCounter()),
        records(parts(plan.deadLetter(), files.deadLetterSuffix()), files.deadLetterCounter()));
  }

  /** The part files a sink writes into {@code directory}. */
  private static String parts(String directory, String extension) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(Formats.PART + "-*" + extension, StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }

  /**
   * Records in the files matching {@code pattern} (none: 0), each counted by {@code counter}.
   *
   * @throws IOException naming the file that cannot be counted, and why
   */
  static long records(String pattern, RecordCounter counter) throws IOException {
    MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
    if (m.status() == MatchResult.Status.NOT_FOUND) {
      return 0;
    }
    long n = 0;
    for (MatchResult.Metadata f : m.metadata()) {
      if (f.resourceId().isDirectory()) {
        continue;
      }
      try {
        n += counter.count(f);
      } catch (IOException e) {
        throw InputErrors.naming(f.resourceId().toString(), e);
      }
    }
    return n;
  }
}
