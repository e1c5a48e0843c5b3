package io.qkms.pipeline.formats;

import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.deadletter.DeadLetterFiles;
import io.qkms.pipeline.fields.JsonLines;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.read.AvroSplits.InputFile;
import io.qkms.pipeline.read.InputErrors;
import io.qkms.pipeline.read.TextLines;
import io.qkms.pipeline.report.CountElements;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.ReEncrypt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * JSON Lines, read and written byte for byte ({@link TextLines}); dead letters are JSON Lines too,
 * each carrying the original line.
 */
final class JsonLinesFormat implements Format {
  static final JsonLinesFormat INSTANCE = new JsonLinesFormat();

  /** Counts lines by the reader's rules, after decompressing by the file name. */
  static final RecordCounter LINES =
      f -> {
        String name = f.resourceId().toString();
        Compression c = Compression.detect(f.resourceId().getFilename());
        try (InputStream in =
            Channels.newInputStream(c.readDecompressed(FileSystems.open(f.resourceId())))) {
          return TextLines.countLines(in);
        } catch (IOException e) {
          throw InputErrors.naming(name, e);
        }
      };

  private JsonLinesFormat() {}

  @Override
  public String name() {
    return "jsonl";
  }

  @Override
  public List<String> names() {
    return List.of("jsonl", "json", "ndjson");
  }

  @Override
  public RecordCounter counter() {
    return LINES;
  }

  @Override
  public List<String> extensions() {
    return List.of(".jsonl", ".json", ".ndjson");
  }

  @Override
  public RecordFiles<String> input(String pattern, List<InputFile> files, String flag) {
    return new Files(files, false);
  }

  /** The dead letters of a JSON Lines run. */
  RecordFiles<String> replay(List<InputFile> files) {
    return new Files(files, true);
  }

  private static final class Files implements RecordFiles<String> {
    private final List<InputFile> files;
    private final boolean replay;

    Files(List<InputFile> files, boolean replay) {
      this.files = List.copyOf(files);
      this.replay = replay;
    }

    @Override
    public Format format() {
      return INSTANCE;
    }

    @Override
    public boolean replay() {
      return replay;
    }

    @Override
    public boolean hasSchema() {
      return false;
    }

    @Override
    public RecordFormat<String> records() {
      return JsonLines.create();
    }

    @Override
    public ReEncrypt.Records<String> reEncrypt() {
      return ReEncrypt.jsonLines();
    }

    @Override
    public PCollection<String> read(PBegin begin) {
      PCollection<String> lines =
          replay
              ? begin.apply(DeadLetterFiles.readJsonLines(files))
              : begin.apply("Read", TextLines.read(files));
      return lines.apply("CountRead", CountElements.as(ReKeyMetrics.RECORDS_READ));
    }

    @Override
    public void write(PCollection<String> records, String directory) {
      records.apply("Write", TextLines.write(Formats.partPrefix(directory), outputSuffix()));
    }

    @Override
    public void writeDeadLetters(PCollection<DeadLetter<String>> failures, String directory) {
      failures.apply(DeadLetterFiles.writeJsonLines(directory));
    }

    @Override
    public String outputSuffix() {
      return ".jsonl";
    }

    @Override
    public String deadLetterSuffix() {
      return ".jsonl";
    }

    @Override
    public RecordCounter inputCounter() {
      return LINES;
    }

    @Override
    public RecordCounter outputCounter() {
      return LINES;
    }

    @Override
    public RecordCounter deadLetterCounter() {
      return LINES;
    }

    @Override
    public List<String> sample(InputFile file, int n) throws IOException {
      List<String> out = new ArrayList<>();
      for (String line : TextLines.firstLines(file.path(), n)) {
        if (line.isBlank()) {
          continue;
        }
        if (replay) {
          try {
            line = DeadLetterFiles.recordOfJsonLine(line);
          } catch (IllegalArgumentException e) {
            continue; // the run dead-letters it again, with its reason
          }
        }
        out.add(line);
      }
      return out;
    }

    @Override
    public Map<String, String> settings() {
      return Map.of();
    }
  }
}
