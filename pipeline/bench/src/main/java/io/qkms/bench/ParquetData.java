package io.qkms.bench;

import io.qkms.samples.data.LocalParquetFile;
import java.io.IOException;
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
            AvroParquetWriter.<GenericRecord>builder(new LocalParquetFile(tmp))
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
}
