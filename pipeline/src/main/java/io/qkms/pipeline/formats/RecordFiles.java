package io.qkms.pipeline.formats;

import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.transform.ReEncrypt;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The records of one run in one {@link Format}, as planned: how the input (or, for a replay, the
 * dead letters) is read, how the re-encrypted records and the dead letters are written, how each
 * kind of file is counted, and how records are sampled before the run.
 *
 * @param <T> the record type the transform works on ({@code GenericRecord}, or {@code String} for
 *     JSON Lines)
 */
public interface RecordFiles<T> {
  Format format();

  /** Whether the input is dead letters of an earlier run. */
  boolean replay();

  /**
   * Whether the records have a schema the field paths are checked against (JSON Lines have none:
   * paths are checked against sampled records).
   */
  boolean hasSchema();

  /** The records as the field accessors see them. */
  RecordFormat<T> records();

  /** The re-encrypting transform for these records, not yet configured. */
  ReEncrypt.Records<T> reEncrypt();

  /** Reads the input's records (the originals, for a replay), counted as records read. */
  PCollection<T> read(PBegin begin);

  /** Writes records into {@code part-*} files of {@code directory}. */
  void write(PCollection<T> records, String directory);

  /** Writes dead letters, in a form the replay reads back, into {@code directory}. */
  void writeDeadLetters(PCollection<DeadLetter<T>> failures, String directory);

  /** The ending of the record files {@link #write} makes ({@code .parquet}). */
  String outputSuffix();

  /** The ending of the dead-letter files ({@code .avro} for Avro and Parquet runs). */
  String deadLetterSuffix();

  /** Counts the input files (for a replay: the dead letters read). */
  RecordCounter inputCounter();

  /** Counts the files {@link #write} makes. */
  RecordCounter outputCounter();

  /** Counts the files {@link #writeDeadLetters} makes. */
  RecordCounter deadLetterCounter();

  /** Up to {@code n} records from the start of {@code file}, as the run reads them. */
  List<T> sample(InputFile file, int n) throws IOException;

  /** What the report says of the files beyond the format's name (codec, row groups, ...). */
  Map<String, String> settings();
}
