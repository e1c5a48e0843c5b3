package io.qkms.pipeline.manifest;

import io.qkms.pipeline.deadletter.DeadLetter;
import io.qkms.pipeline.read.Shards;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.transform.RecordReKeyer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.util.MimeTypes;

/**
 * Re-keys whole shards and commits each: reads the shard, re-keys every record ({@link
 * RecordReKeyer}), writes its records and dead letters to temporary files, renames them to the
 * shard's own names ({@code part-sNNNNN}, so a shard done again replaces its files rather than
 * adding to them), then writes the shard's manifest entry, the commit point. A crash anywhere
 * before the entry leaves the shard uncommitted: a resumed run does it again. The records read,
 * written and dead-lettered are counted when the shard is committed.
 */
public final class ShardFn<T> extends DoFn<Long, Void> {
  private static final long serialVersionUID = 1L;

  private final List<Shards.Shard> shards;
  private final ShardFormat<T> format;
  private final RecordReKeyer<T> reKeyer;
  private final String output;
  private final String deadLetter;
  private final String runId;
  private final Counter read = counter(ReKeyMetrics.RECORDS_READ);
  private final Counter written = counter(ReKeyMetrics.RECORDS_WRITTEN);
  private final Counter deadLettered = counter(ReKeyMetrics.RECORDS_DEAD_LETTERED);

  /**
   * @param shards the shards to do, by the element numbers this DoFn is given
   */
  public ShardFn(
      List<Shards.Shard> shards,
      ShardFormat<T> format,
      RecordReKeyer<T> reKeyer,
      String output,
      String deadLetter,
      String runId) {
    this.shards = List.copyOf(shards);
    this.format = format;
    this.reKeyer = reKeyer;
    this.output = output;
    this.deadLetter = deadLetter;
    this.runId = runId;
  }

  private static Counter counter(String name) {
    return Metrics.counter(ReKeyMetrics.NAMESPACE, name);
  }

  /** {@code part-s00042.avro}: a shard's file in the output or dead-letter directory. */
  public static String partName(int shard, String suffix) {
    return String.format(Locale.ROOT, "part-s%05d%s", shard, suffix);
  }

  @Setup
  public void setup() {
    reKeyer.setup();
  }

  @ProcessElement
  public void process(@Element Long number) throws IOException {
    Shards.Shard shard = shards.get(number.intValue());
    ResourceId tmp =
        Manifest.dir(output)
            .resolve(Manifest.TMP_DIR, StandardResolveOptions.RESOLVE_DIRECTORY)
            .resolve(
                runId + "-s" + shard.index() + "-" + UUID.randomUUID().toString().substring(0, 8),
                StandardResolveOptions.RESOLVE_DIRECTORY);
    Part<T> records =
        new Part<>(tmp.resolve("records", StandardResolveOptions.RESOLVE_FILE), format::records);
    Part<DeadLetter<T>> deadLetters =
        new Part<>(
            tmp.resolve("dead-letters", StandardResolveOptions.RESOLVE_FILE), format::deadLetters);
    reKeyer.beginShard();
    long n;
    Map<String, Long> tally;
    try {
      n = format.read(shard, record -> reKeyer.process(record, records, deadLetters));
      // Through a remote KMS, the shard's last records are written once their calls complete.
      tally = new TreeMap<>(reKeyer.endShard(records, deadLetters));
      closeAll(records, deadLetters);
    } catch (IOException | RuntimeException e) {
      Exception failure = e instanceof UncheckedIOException u ? u.getCause() : e;
      // The shard is not committed: its temporary files would only hold space (a full disk is a
      // likely cause), so they go now rather than when the run is resumed.
      try {
        closeAll(records, deadLetters);
      } catch (IOException | RuntimeException closing) {
        failure.addSuppressed(closing);
      }
      deleteQuietly(List.of(records.tmp, deadLetters.tmp, tmp), failure);
      if (failure instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) failure;
    }

    // Into place under the shard's own names (replacing what an earlier try of it left), then
    // the entry: the shard is committed once the entry is there.
    Map<String, Long> files = new LinkedHashMap<>();
    place(records, output, partName(shard.index(), format.recordSuffix()), files);
    place(deadLetters, deadLetter, partName(shard.index(), format.deadLetterSuffix()), files);
    tally.put(ReKeyMetrics.RECORDS_READ, n);
    tally.put(ReKeyMetrics.RECORDS_WRITTEN, records.count);
    tally.put(ReKeyMetrics.RECORDS_DEAD_LETTERED, deadLetters.count);
    Manifest.writeEntry(
        output,
        new Manifest.Entry(
            shard.index(), shard.path(), shard.start(), shard.end(), runId, files, tally));
    try {
      // The shard's temporary directory, empty now (where directories exist at all).
      FileSystems.delete(List.of(tmp), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException e) {
      // Left behind: a resumed run clears the temporary files.
    }
    read.inc(n);
    written.inc(records.count);
    deadLettered.inc(deadLetters.count);
  }

  /** Closes both parts, even when the first fails; throws the first failure. */
  private static void closeAll(Part<?> a, Part<?> b) throws IOException {
    try {
      a.close();
    } catch (IOException e) {
      try {
        b.close();
      } catch (IOException second) {
        e.addSuppressed(second);
      }
      throw e;
    }
    b.close();
  }

  private static void deleteQuietly(List<ResourceId> files, Exception failure) {
    try {
      FileSystems.delete(files, MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e); // left behind: a resumed run clears the temporary files
    }
  }

  private static void place(Part<?> part, String directory, String name, Map<String, Long> files)
      throws IOException {
    ResourceId target =
        FileSystems.matchNewResource(directory, true)
            .resolve(name, StandardResolveOptions.RESOLVE_FILE);
    if (part.count == 0) {
      FileSystems.delete(List.of(target), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      return;
    }
    FileSystems.rename(List.of(part.tmp), List.of(target));
    files.put(target.toString(), Manifest.size(target.toString()));
  }

  /** Where a shard's records (or dead letters) go: a temporary file, created on the first one. */
  private static final class Part<X> implements Consumer<X> {
    private final ResourceId tmp;
    private final WriterFactory<X> open;
    private ShardFormat.Writer<X> writer;
    private long count;

    Part(ResourceId tmp, WriterFactory<X> open) {
      this.tmp = tmp;
      this.open = open;
    }

    @Override
    public void accept(X x) {
      try {
        if (writer == null) {
          writer = open.open(Channels.newOutputStream(FileSystems.create(tmp, MimeTypes.BINARY)));
        }
        writer.write(x);
        count++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Closes the file if there is one; a second call does nothing. */
    void close() throws IOException {
      ShardFormat.Writer<X> w = writer;
      writer = null;
      if (w != null) {
        w.close();
      }
    }
  }

  private interface WriterFactory<X> {
    ShardFormat.Writer<X> open(OutputStream out) throws IOException;
  }

  @Teardown
  public void teardown() {
    reKeyer.teardown();
  }
}
