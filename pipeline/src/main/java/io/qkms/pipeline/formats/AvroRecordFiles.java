package io.qkms.pipeline.formats;

import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.fields.AvroRecords;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.read.AvroContainer;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.read.InputErrors;
import io.qkms.pipeline.read.SplitReader;
import io.qkms.pipeline.report.CountElements;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.ReEncrypt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Records of one Avro schema, as both the Avro and the Parquet formats carry them: the dead letters
 * are Avro files ({@link DeadLetterFiles}) whose header names the format of the run that wrote them
 * (and, for Parquet, how to write its records again), and a replay reads them back. The subclasses
 * read and write the record files themselves.
 */
abstract class AvroRecordFiles implements RecordFiles<GenericRecord> {
  /** The dead-letter header's key naming the run's format. */
  static final String FORMAT_KEY = "qkms.format";

  /** Counts the records of an Avro container file from its block headers. */
  static final RecordCounter AVRO_BLOCKS =
      f -> {
        String name = f.resourceId().toString();
        try (InputStream in = Channels.newInputStream(FileSystems.open(f.resourceId()))) {
          return AvroContainer.countRecords(in, name, f.sizeBytes());
        } catch (IOException e) {
          throw InputErrors.naming(name, e);
        }
      };

  final String pattern;
  final List<InputFile> files;
  final Schema recordSchema;
  final Schema deadLetterInputSchema; // null unless a replay

  AvroRecordFiles(
      String pattern, List<InputFile> files, Schema recordSchema, Schema deadLetterInputSchema) {
    this.pattern = pattern;
    this.files = List.copyOf(files);
    this.recordSchema = recordSchema;
    this.deadLetterInputSchema = deadLetterInputSchema;
  }

  /** The schema of the records. */
  public Schema recordSchema() {
    return recordSchema;
  }

  @Override
  public boolean replay() {
    return deadLetterInputSchema != null;
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public RecordFormat<GenericRecord> records() {
    return AvroRecords.of(recordSchema);
  }

  @Override
  public ReEncrypt.Records<GenericRecord> reEncrypt() {
    return ReEncrypt.avroRecords();
  }

  /** The record files of a first run, counted as records read. */
  abstract PCollection<GenericRecord> readRecords(PBegin begin);

  /** Entries of the dead-letter header besides the format's name. */
  Map<String, String> deadLetterMetadata() {
    return Map.of();
  }

  @Override
  public PCollection<GenericRecord> read(PBegin begin) {
    if (!replay()) {
      return readRecords(begin);
    }
    return begin
        .apply(DeadLetterFiles.readAvro(pattern, deadLetterInputSchema))
        .setCoder(AvroCoder.of(recordSchema))
        .apply("CountRead", CountElements.as(ReKeyMetrics.RECORDS_READ));
  }

  @Override
  public void writeDeadLetters(PCollection<DeadLetter<GenericRecord>> failures, String directory) {
    Map<String, String> metadata = new java.util.LinkedHashMap<>();
    metadata.put(FORMAT_KEY, format().name());
    metadata.putAll(deadLetterMetadata());
    failures.apply(DeadLetterFiles.writeAvro(directory, recordSchema, metadata));
  }

  @Override
  public String deadLetterSuffix() {
    return ".avro";
  }

  @Override
  public RecordCounter inputCounter() {
    return replay() ? AVRO_BLOCKS : recordCounter();
  }

  @Override
  public RecordCounter outputCounter() {
    return recordCounter();
  }

  @Override
  public RecordCounter deadLetterCounter() {
    return AVRO_BLOCKS;
  }

  /** Counts the record files of the format. */
  abstract RecordCounter recordCounter();

  @Override
  public List<GenericRecord> sample(InputFile file, int n) throws IOException {
    return replay() ? sampleAvro(file, n, deadLetterInputSchema, true) : sampleRecords(file, n);
  }

  /** Up to {@code n} records from the start of a record file of the format. */
  abstract List<GenericRecord> sampleRecords(InputFile file, int n) throws IOException;

  /** Up to {@code n} records of an Avro file (the originals, if they are dead letters). */
  static List<GenericRecord> sampleAvro(InputFile f, int n, Schema schema, boolean deadLetters)
      throws IOException {
    List<GenericRecord> out = new ArrayList<>();
    try (SplitReader reader =
        SplitReader.open(
            (SeekableByteChannel)
                FileSystems.open(FileSystems.matchSingleFileSpec(f.path()).resourceId()),
            schema,
            0,
            f.sizeBytes())) {
      for (int i = 0; i < n; i++) {
        GenericRecord r = reader.next(null);
        if (r == null) {
          break;
        }
        out.add(deadLetters ? (GenericRecord) r.get("record") : r);
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException(f.path() + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public Map<String, String> settings() {
    return Map.of("schema", recordSchema.getFullName());
  }
}
