package io.qkms.pipeline.parquet;

import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How a run's Parquet files were written, so its output is written the same way: the Avro schema
 * the records are read with, the Parquet schema (the output's must equal it), the codec of the
 * input's column chunks, the row-group size (the input's largest, between 16 and 128 MiB) and
 * whether lists use parquet-avro's old two-level layout.
 */
public record ParquetLayout(
    String avroSchemaJson,
    String parquetSchema,
    String codec,
    int rowGroupBytes,
    boolean oldListStructure)
    implements Serializable {

  public Schema avroSchema() {
    return new Schema.Parser().parse(avroSchemaJson);
  }

  public CompressionCodecName compression() {
    return CompressionCodecName.valueOf(codec);
  }
}
