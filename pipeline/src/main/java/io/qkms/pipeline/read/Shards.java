package io.qkms.pipeline.read;

import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.SeekableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The input of a resumable run cut into shards, and each shard read on its own: the byte-range
 * splits the readers use ({@link AvroSplits}, {@link TextLines}: a record belongs to the split in
 * which it starts, so the shards of a file hold each of its records exactly once), numbered in
 * order. A shard is the unit a run commits, and a resumed run does again.
 */
public final class Shards {
  /** Bytes [start, end) of a file planned at {@code fileBytes}; {@code whole}: read it all. */
  public record Shard(int index, String path, long start, long end, long fileBytes, boolean whole)
      implements Serializable {}

  private Shards() {}

  /** The default shard size for {@code totalBytes} of input (1 to 64 MiB, about 64 shards). */
  public static long defaultBytes(long totalBytes) {
    return AvroSplits.splitSizeBytes(totalBytes);
  }

  /** The shards of Avro container files. */
  public static List<Shard> avro(List<AvroSplits.InputFile> files, long shardBytes) {
    List<Shard> out = new ArrayList<>();
    for (AvroSplits.Split s : AvroSplits.splits(files, shardBytes)) {
      out.add(new Shard(out.size(), s.path(), s.start(), s.end(), s.fileBytes(), false));
    }
    return out;
  }

  /** The shards of line files (a compressed file is one shard). */
  public static List<Shard> lines(List<AvroSplits.InputFile> files, long shardBytes) {
    List<Shard> out = new ArrayList<>();
    for (TextLines.Split s : TextLines.splits(files, shardBytes)) {
      out.add(new Shard(out.size(), s.path(), s.start(), s.end(), s.fileBytes(), s.whole()));
    }
    return out;
  }

  /**
   * Reads the records of an Avro shard.
   *
   * @return the records read
   * @throws IOException naming the file, also when it changed since the run was planned
   */
  public static long readAvro(Shard s, Schema schema, Consumer<GenericRecord> out)
      throws IOException {
    MatchResult.Metadata m = FileSystems.matchSingleFileSpec(s.path());
    if (m.sizeBytes() != s.fileBytes()) {
      throw InputErrors.changed(s.path(), s.fileBytes(), m.sizeBytes(), "bytes");
    }
    long n = 0;
    try (SplitReader reader =
        SplitReader.open(
            (SeekableByteChannel) FileSystems.open(m.resourceId()),
            schema,
            s.start(),
            s.end(),
            s.path())) {
      for (GenericRecord r = reader.next(null); r != null; r = reader.next(null)) {
        out.accept(r);
        n++;
      }
    } catch (AvroRuntimeException e) {
      throw InputErrors.naming(s.path(), e);
    } catch (IOException e) {
      throw InputErrors.naming(s.path(), e);
    }
    return n;
  }

  /** Reads the lines of a line shard, byte for byte ({@link LosslessUtf8}). */
  public static long readLines(Shard s, Consumer<String> out) throws IOException {
    long n = 0;
    try (LineReader reader =
        TextLines.openSplit(
            new TextLines.Split(s.path(), s.start(), s.end(), s.fileBytes(), s.whole()))) {
      for (String line = reader.next(); line != null; line = reader.next()) {
        out.accept(line);
        n++;
      }
    } catch (IOException e) {
      throw InputErrors.naming(s.path(), e);
    }
    return n;
  }
}
