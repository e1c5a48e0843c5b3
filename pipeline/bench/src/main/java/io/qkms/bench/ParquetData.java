package io.qkms.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * The bench's Parquet input: the generated Avro records written again by parquet-avro, as another
 * tool would write them (snappy, 128 MiB row groups), so both formats hold the same records.
 */
final class ParquetData {
  private ParquetData() {}

  /** Writes {@code avro}'s records to {@code parquet} (through a temporary file, then moved). */
  static Path fromAvro(Path avro, Path parquet) throws IOException {
    Path tmp = parquet.resolveSibling(parquet.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (DataFileReader<GenericRecord> in =
            new DataFileReader<>(avro.toFile(), new GenericDatumReader<>());
        ParquetWriter<GenericRecord> out =
            AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(tmp))
                .withSchema(in.getSchema())
                .withConf(new Configuration(false))
                .withDataModel(GenericData.get())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build()) {
      for (GenericRecord r : in) {
        out.write(r);
      }
    }
    return Files.move(tmp, parquet, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** A local file as Parquet writes it (parquet 1.13 has none of its own). */
  private static final class LocalOutputFile implements OutputFile {
    private final Path path;

    LocalOutputFile(Path path) {
      this.path = path;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      return createOrOverwrite(blockSizeHint);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
      return new PositionOutputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          pos += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }
}
