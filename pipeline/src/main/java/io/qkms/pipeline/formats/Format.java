package io.qkms.pipeline.formats;

import io.qkms.pipeline.read.AvroSplits.InputFile;
import java.util.List;

/**
 * A record file format of the job's input and output (an entry of {@link Formats}): which names and
 * file endings select it, and how a run's input in it is checked and planned. What a planned run
 * does with its files (read, write, dead letters, replay, counts) is its {@link RecordFiles}.
 */
public interface Format {
  /**
   * The name in reports and {@code --inputFormat}: {@code avro}, {@code jsonl}, {@code parquet}.
   */
  String name();

  /** Every value of {@code --inputFormat} that means this format (its name first). */
  List<String> names();

  /** The file name endings this format is the default for (lower case, with the dot). */
  List<String> extensions();

  /** Counts the records of a file of this format without decoding them. */
  RecordCounter counter();

  /**
   * Checks the input files (whole, readable, one schema) and reads what the run needs from them.
   *
   * @param pattern the input pattern, as matched
   * @param files the matched files, sorted
   * @param flag the option that named them, for messages
   * @throws IllegalArgumentException naming the option, the file and what is wrong
   */
  RecordFiles<?> input(String pattern, List<InputFile> files, String flag);
}
