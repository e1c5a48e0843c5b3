package io.qkms.pipeline.testing;

import io.qkms.samples.data.LocalParquetFile;
import io.qkms.samples.data.ParquetLayout;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Parquet files written and read by parquet-avro directly, as another tool would: the tests' input
 * is not written by the job's own sink, and its output is checked with a reader of its own.
 */
public final class ParquetTestFiles {
  private ParquetTestFiles() {}

  /** How a test's input file is written. */
  public record Writer(
      CompressionCodecName codec, int rowGroupBytes, int pageBytes, boolean oldListStructure) {
    /** Several row groups and pages per file, dictionaries on, three-level lists, gzip. */
    public static Writer smallRowGroups() {
      return new Writer(CompressionCodecName.GZIP, 8 * 1024, 1024, false);
    }
  }

  public static void write(Path file, Schema schema, List<GenericRecord> records, Writer how)
      throws IOException {
    SampleData.writeParquet(
        file,
        schema,
        records,
        new ParquetLayout(
            how.codec(), how.rowGroupBytes(), how.pageBytes(), how.oldListStructure()));
  }

  /**
   * {@code in} copied to {@code out} row group by row group, column chunks byte for byte, without
   * page indexes: as writers before parquet-mr 1.11 (and others that leave them out) write files.
   */
  public static void withoutPageIndexes(Path in, Path out) throws IOException {
    ParquetMetadata footer = footer(in);
    ParquetFileWriter w =
        new ParquetFileWriter(
            new LocalParquetFile(out),
            footer.getFileMetaData().getSchema(),
            ParquetFileWriter.Mode.CREATE,
            ParquetWriter.DEFAULT_BLOCK_SIZE,
            0);
    w.start();
    w.appendFile(new LocalInputFile(in)); // copies the chunks, not their indexes
    w.end(footer.getFileMetaData().getKeyValueMetaData());
  }

  public static List<GenericRecord> read(Path file) {
    Configuration conf = new Configuration(false);
    conf.setBoolean(AvroReadSupport.AVRO_COMPATIBILITY, true);
    List<GenericRecord> out = new ArrayList<>();
    try (ParquetReader<GenericRecord> r =
        AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
            .withDataModel(GenericData.get())
            .withConf(conf)
            .build()) {
      for (GenericRecord g = r.read(); g != null; g = r.read()) {
        out.add(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The records of every {@code part-*.parquet} file in {@code dir}. */
  public static List<GenericRecord> parts(Path dir) {
    List<GenericRecord> out = new ArrayList<>();
    for (Path p : Outputs.parts(dir)) {
      if (p.toString().endsWith(".parquet")) {
        out.addAll(read(p));
      }
    }
    return out;
  }

  public static ParquetMetadata footer(Path file) {
    try (ParquetFileReader r =
        ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      return r.getFooter();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A local file as Parquet reads it. */
  public static final class LocalInputFile implements InputFile {
    private final Path path;

    public LocalInputFile(Path path) {
      this.path = path;
    }

    @Override
    public long getLength() throws IOException {
      return Files.size(path);
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
      return new DelegatingSeekableInputStream(Channels.newInputStream(ch)) {
        @Override
        public long getPos() throws IOException {
          return ch.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          ch.position(newPos);
        }
      };
    }
  }
}
