package io.qkms.pipeline.fields;

/**
 * How a ciphertext is stored in a field, known per field from the schema (Avro) or the value
 * (JSON), and kept when the re-encrypted value is written back.
 */
public enum CiphertextEncoding {
  /** Avro {@code bytes}: the blob itself. */
  BYTES,
  /** Avro {@code string} or a JSON string: standard base64 with padding (RFC 4648 section 4). */
  BASE64_STRING
}
