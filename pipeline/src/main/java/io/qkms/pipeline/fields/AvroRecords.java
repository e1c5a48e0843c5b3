package io.qkms.pipeline.fields;

import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Avro {@link GenericRecord}s of one schema. Ciphertext fields are {@code bytes} (the blob) or
 * {@code string} (base64), each possibly in a union with null; paths go through nested records,
 * unions of null and a record, and arrays. Context references name {@code string}, {@code enum},
 * {@code int}, {@code long} or {@code boolean} fields outside arrays.
 */
public final class AvroRecords implements RecordFormat<GenericRecord> {
  private static final long serialVersionUID = 1L;

  private final String schemaJson;
  private transient Schema schema;

  private AvroRecords(Schema schema) {
    this.schemaJson = schema.toString();
    this.schema = schema;
  }

  /**
   * @throws IllegalArgumentException unless {@code schema} is a record schema
   */
  public static AvroRecords of(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException(
          "Avro input must be records; the schema is a " + schema.getType());
    }
    return new AvroRecords(schema);
  }

  public Schema schema() {
    if (schema == null) {
      schema = new Schema.Parser().parse(schemaJson);
    }
    return schema;
  }

  @Override
  public RecordAccessor<GenericRecord> compile(
      List<FieldPath> targets, List<FieldPath> references) {
    return new AvroAccessor(schema(), targets, references);
  }

  @Override
  public String name() {
    return "avro";
  }
}
