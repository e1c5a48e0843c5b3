package io.qkms.samples.data;

import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How a Parquet file is laid out by {@link SampleData#writeParquet}: its codec, row group and page
 * sizes (bytes), and whether lists take parquet-avro's old two-level form (its default) or the
 * three-level one of the Parquet spec. Dictionaries are always on.
 */
public record ParquetLayout(
    CompressionCodecName codec, int rowGroupBytes, int pageBytes, boolean oldListStructure) {
  /**
   * The samples' files: snappy, rows in groups of about 16 KiB so that even the samples have
   * several, parquet-avro's default pages and lists.
   */
  public static final ParquetLayout SAMPLES =
      new ParquetLayout(
          CompressionCodecName.SNAPPY, 16 * 1024, ParquetWriter.DEFAULT_PAGE_SIZE, true);
}
