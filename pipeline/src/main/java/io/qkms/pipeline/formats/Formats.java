package io.qkms.pipeline.formats;

import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;

/**
 * The record file formats the job knows, by name and file ending: Avro, JSON Lines and Parquet.
 * Adding a format is one {@link Format} here; the plan, the pipeline, the checks before the run and
 * the count of committed files all go through it.
 */
public final class Formats {
  /** The name prefix of every record and dead-letter file a run writes. */
  public static final String PART = "part";

  public static final Format AVRO = AvroFormat.INSTANCE;
  public static final Format JSON_LINES = JsonLinesFormat.INSTANCE;
  public static final Format PARQUET = ParquetFormat.INSTANCE;

  private static final List<Format> ALL = List.of(AVRO, JSON_LINES, PARQUET);

  private Formats() {}

  public static List<Format> all() {
    return ALL;
  }

  /**
   * The format {@code --inputFormat} names.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Format named(String given) {
    String n = given.strip().toLowerCase(Locale.ROOT);
    for (Format f : ALL) {
      if (f.names().contains(n)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "--inputFormat must be " + choices() + ", was '" + given + "'");
  }

  /** The format a file name's ending selects, or null. */
  public static Format byFileName(String name) {
    if (name == null) {
      return null;
    }
    String n = name.toLowerCase(Locale.ROOT);
    for (Format f : ALL) {
      for (String e : f.extensions()) {
        if (n.endsWith(e)) {
          return f;
        }
      }
    }
    return null;
  }

  /** {@code avro, jsonl or parquet}. */
  public static String choices() {
    List<String> names = ALL.stream().map(Format::name).toList();
    return String.join(", ", names.subList(0, names.size() - 1))
        + " or "
        + names.get(names.size() - 1);
  }

  /**
   * The records of dead-letter files (a replay): JSON Lines dead letters by their ending; Avro ones
   * by their header, which names the format of the run that wrote them (Avro or Parquet).
   *
   * @throws IllegalArgumentException if the files are no QKMS dead letters
   */
  public static RecordFiles<?> replay(String pattern, List<InputFile> files, String flag) {
    Format byName = byFileName(files.get(0).path());
    if (byName == JsonLinesFormat.INSTANCE) {
      return JsonLinesFormat.INSTANCE.replay(files);
    }
    if (byName != AvroFormat.INSTANCE) {
      throw new IllegalArgumentException(
          flag
              + ": "
              + files.get(0).path()
              + " is no dead-letter file of the job (part-*.avro or part-*.jsonl)");
    }
    AvroFormat.checkWhole(files, flag);
    AvroFormat.Header header = AvroFormat.header(files.get(0).path(), flag);
    if (!DeadLetterFiles.isDeadLetterSchema(header.schema())) {
      throw new IllegalArgumentException(
          flag
              + ": "
              + files.get(0).path()
              + " is not a QKMS dead-letter file: its schema is "
              + header.schema().getFullName());
    }
    String format = header.metadata().getOrDefault(AvroRecordFiles.FORMAT_KEY, "avro");
    if (format.equals(ParquetFormat.INSTANCE.name())) {
      return ParquetFormat.INSTANCE.replay(pattern, files, header.schema(), header.metadata());
    }
    return AvroFormat.INSTANCE.replay(pattern, files, header.schema());
  }

  /** {@code <directory>/part}: the prefix of the files a sink writes there. */
  static String partPrefix(String directory) {
    return FileSystems.matchNewResource(directory, true)
        .resolve(PART, StandardResolveOptions.RESOLVE_FILE)
        .toString();
  }
}
