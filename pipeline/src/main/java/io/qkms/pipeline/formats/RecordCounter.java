package io.qkms.pipeline.formats;

import java.io.IOException;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Counts the records of one file without decoding them: Avro block headers, line breaks, Parquet
 * footers. What a run's checks count its committed files with.
 */
@FunctionalInterface
public interface RecordCounter {
  /**
   * @throws IOException if the file cannot be counted (cut off, corrupt, not of the format)
   */
  long count(MatchResult.Metadata file) throws IOException;
}
