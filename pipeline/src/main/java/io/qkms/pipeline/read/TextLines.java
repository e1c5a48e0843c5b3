package io.qkms.pipeline.read;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.DefaultFilenamePolicy;
import org.apache.beam.sdk.io.DynamicFileDestinations;
import org.apache.beam.sdk.io.FileBasedSink;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.WriteFiles;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * Text lines read and written byte for byte: the job's JSON Lines input, output and dead letters.
 *
 * <p>{@link #read} reads files in byte-range splits like {@link AvroSplits} (a compressed file,
 * which cannot be split, is one split), with the line rules of {@link LineReader}: a line ends at
 * {@code \n} only, and a {@code \r} before it stays part of it. Lines are decoded with {@link
 * LosslessUtf8} and carried with {@link LosslessUtf8Coder}. {@link #write} writes each line and a
 * {@code \n}, encoded back to the bytes it was read from, through Beam's file sink (temporary
 * files, renamed when done; {@code <prefix>-00000-of-0000N<suffix>}, as {@code TextIO.write}).
 *
 * <p>Why not {@code TextIO}: it decodes with replacement (an ill-formed byte became U+FFFD in the
 * output), and it also ends a line at a lone {@code \r}, splitting one record into two.
 */
public final class TextLines {
  private TextLines() {}

  /** Reads every line of {@code files}, in splits of 1 to 64 MiB (about 64 in all). */
  public static Read read(List<AvroSplits.InputFile> files) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("No input files");
    }
    long total = files.stream().mapToLong(AvroSplits.InputFile::sizeBytes).sum();
    return new Read(files, AvroSplits.splitSizeBytes(total));
  }

  /** Writes lines to {@code <filenamePrefix>-SSSSS-of-NNNNN<suffix>} files. */
  public static Write write(String filenamePrefix, String suffix) {
    Objects.requireNonNull(filenamePrefix, "filenamePrefix");
    Objects.requireNonNull(suffix, "suffix");
    return new Write(filenamePrefix, suffix);
  }

  /**
   * The number of lines {@link #read} reads from the whole of {@code in} (a decompressed file),
   * counted from the line breaks without decoding: what the job's checks count files with.
   */
  public static long countLines(InputStream in) throws IOException {
    return LineReader.count(in);
  }

  /** A reader of one split's lines, as the reading transform opens it. */
  static LineReader openSplit(Split split) throws IOException {
    return ReadSplitFn.open(split);
  }

  /** Bytes [start, end) of a file planned at {@code fileBytes}; a whole split reads it all. */
  record Split(String path, long start, long end, long fileBytes, boolean whole)
      implements Serializable {}

  /** Cuts the files into splits of {@code size} bytes; a compressed file is one whole split. */
  /**
   * The first {@code n} lines of {@code path} (or fewer), read as the job reads them: for a look at
   * a file before the run.
   */
  public static List<String> firstLines(String path, int n) throws IOException {
    List<String> out = new ArrayList<>();
    MatchResult.Metadata m = FileSystems.matchSingleFileSpec(path);
    try (LineReader reader =
        LineReader.whole(compression(path).readDecompressed(FileSystems.open(m.resourceId())))) {
      for (String line = reader.next(); line != null && out.size() < n; line = reader.next()) {
        out.add(line);
      }
    } catch (IOException e) {
      throw InputErrors.naming(path, e);
    }
    return out;
  }

  static List<Split> splits(List<AvroSplits.InputFile> files, long size) {
    List<Split> out = new ArrayList<>();
    for (AvroSplits.InputFile f : files) {
      if (compression(f.path()) != Compression.UNCOMPRESSED) {
        out.add(new Split(f.path(), 0, f.sizeBytes(), f.sizeBytes(), true));
        continue;
      }
      long start = 0;
      do {
        long end = Math.min(f.sizeBytes(), start + size);
        out.add(new Split(f.path(), start, end, f.sizeBytes(), false));
        start = end;
      } while (start < f.sizeBytes());
    }
    return out;
  }

  /** The compression of a file, from its name (as {@code TextIO.read}'s AUTO). */
  static Compression compression(String path) {
    return Compression.detect(FileSystems.matchNewResource(path, false).getFilename());
  }

  /** The reading transform: see {@link TextLines}. */
  public static final class Read extends PTransform<PBegin, PCollection<String>> {
    private static final long serialVersionUID = 1L;
    private final List<AvroSplits.InputFile> files;
    private final long splitBytes;

    private Read(List<AvroSplits.InputFile> files, long splitBytes) {
      this.files = List.copyOf(files);
      this.splitBytes = splitBytes;
    }

    /** The same with splits of {@code splitBytes} bytes (tests use tiny ones). */
    public Read withSplitBytes(long splitBytes) {
      if (splitBytes < 1) {
        throw new IllegalArgumentException("A split size below 1: " + splitBytes);
      }
      return new Read(files, splitBytes);
    }

    @Override
    public PCollection<String> expand(PBegin input) {
      List<Split> splits = splits(files, splitBytes);
      // Split numbers from a counting source, which Flink spreads evenly over its subtasks.
      return input
          .apply("SplitNumbers", GenerateSequence.from(0).to(splits.size()))
          .apply("ReadSplits", ParDo.of(new ReadSplitFn(splits)))
          .setCoder(LosslessUtf8Coder.of());
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      builder
          .add(DisplayData.item("files", files.size()).withLabel("Input files"))
          .add(DisplayData.item("splitBytes", splitBytes).withLabel("Split size (bytes)"));
    }
  }

  private static final class ReadSplitFn extends DoFn<Long, String> {
    private static final long serialVersionUID = 1L;
    private final List<Split> splits;

    ReadSplitFn(List<Split> splits) {
      this.splits = List.copyOf(splits);
    }

    @ProcessElement
    public void process(@Element Long number, OutputReceiver<String> out) throws IOException {
      Split split = splits.get(number.intValue());
      try (LineReader reader = open(split)) {
        for (String line = reader.next(); line != null; line = reader.next()) {
          out.output(line);
        }
      } catch (IOException e) {
        throw InputErrors.naming(split.path(), e);
      }
    }

    private static LineReader open(Split split) throws IOException {
      MatchResult.Metadata m = FileSystems.matchSingleFileSpec(split.path());
      if (m.sizeBytes() != split.fileBytes()) {
        throw InputErrors.changed(split.path(), split.fileBytes(), m.sizeBytes(), "bytes");
      }
      ReadableByteChannel channel = FileSystems.open(m.resourceId());
      if (split.whole()) {
        return LineReader.whole(compression(split.path()).readDecompressed(channel));
      }
      SeekableByteChannel seekable = (SeekableByteChannel) channel;
      long size;
      try {
        size = seekable.size();
      } catch (IOException | RuntimeException e) {
        seekable.close();
        throw e;
      }
      if (size != split.fileBytes()) {
        seekable.close();
        throw InputErrors.changed(split.path(), split.fileBytes(), size, "bytes");
      }
      return LineReader.open(seekable, split.start(), split.end());
    }
  }

  /** The writing transform: see {@link TextLines}. */
  public static final class Write extends PTransform<PCollection<String>, PDone> {
    private static final long serialVersionUID = 1L;
    private final String filenamePrefix;
    private final String suffix;

    private Write(String filenamePrefix, String suffix) {
      this.filenamePrefix = filenamePrefix;
      this.suffix = suffix;
    }

    @Override
    public PDone expand(PCollection<String> input) {
      ResourceId prefix = FileSystems.matchNewResource(filenamePrefix, false);
      FileBasedSink.FilenamePolicy policy =
          DefaultFilenamePolicy.fromStandardParameters(
              StaticValueProvider.of(prefix), null, suffix, false);
      input.apply(
          "WriteFiles",
          WriteFiles.to(
              new LineSink(
                  StaticValueProvider.of(prefix.getCurrentDirectory()),
                  DynamicFileDestinations.<String>constant(policy))));
      return PDone.in(input.getPipeline());
    }

    @Override
    public void populateDisplayData(DisplayData.Builder builder) {
      super.populateDisplayData(builder);
      builder
          .add(DisplayData.item("filenamePrefix", filenamePrefix).withLabel("Filename prefix"))
          .add(DisplayData.item("suffix", suffix).withLabel("Filename suffix"));
    }
  }

  private static final class LineSink extends FileBasedSink<String, Void, String> {
    private static final long serialVersionUID = 1L;

    LineSink(
        StaticValueProvider<ResourceId> tempDirectory,
        DynamicDestinations<String, Void, String> destinations) {
      super(tempDirectory, destinations);
    }

    @Override
    public WriteOperation<Void, String> createWriteOperation() {
      return new LineWriteOperation(this);
    }
  }

  private static final class LineWriteOperation extends FileBasedSink.WriteOperation<Void, String> {
    private static final long serialVersionUID = 1L;

    LineWriteOperation(LineSink sink) {
      super(sink);
    }

    @Override
    public FileBasedSink.Writer<Void, String> createWriter() {
      return new LineWriter(this);
    }
  }

  /** Encodes each line straight into a buffer: no byte array per line. */
  private static final class LineWriter extends FileBasedSink.Writer<Void, String> {
    private static final int BUFFER_BYTES = 64 * 1024;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private final LosslessUtf8.Encoder encoder = new LosslessUtf8.Encoder();
    private OutputStream out;

    LineWriter(LineWriteOperation operation) {
      super(operation, MimeTypes.TEXT);
    }

    @Override
    protected void prepareWrite(WritableByteChannel channel) {
      out = Channels.newOutputStream(channel);
    }

    @Override
    public void write(String line) throws IOException {
      int most = LosslessUtf8.maxEncodedLength(line) + 1;
      if (most > buffer.remaining()) {
        flushBuffer();
        if (most > buffer.remaining()) {
          out.write(LosslessUtf8.encode(line)); // a very long line
          out.write('\n');
          return;
        }
      }
      int start = buffer.position();
      try {
        encoder.encode(line, buffer);
      } catch (IllegalArgumentException e) {
        buffer.position(start); // nothing of the line is written
        throw e;
      }
      buffer.put((byte) '\n');
    }

    @Override
    protected void finishWrite() throws IOException {
      flushBuffer();
      out.flush();
    }

    private void flushBuffer() throws IOException {
      if (buffer.position() > 0) {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
    }
  }
}
