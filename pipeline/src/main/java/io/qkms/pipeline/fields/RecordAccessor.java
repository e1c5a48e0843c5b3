package io.qkms.pipeline.fields;

/**
 * Reads the ciphertext fields and context references of records of one kind, and builds the
 * re-encrypted record. Compiled once per DoFn instance from the target and reference paths; not
 * thread-safe. Never changes the record it is given.
 *
 * @param <T> the record type
 */
public interface RecordAccessor<T> {
  /**
   * Fills {@code view} with the ciphertexts and reference values of {@code record}.
   *
   * @throws FieldException if the record cannot be read (malformed, wrong type, bad base64)
   */
  void scan(T record, RecordView view) throws FieldException;

  /**
   * A new record equal to {@code record} except that occurrence {@code i} of {@code view} holds
   * {@code replacements[i]} (in the field's own encoding) wherever that is not null. Returns {@code
   * record} itself when nothing is replaced.
   */
  T rewrite(T record, RecordView view, byte[][] replacements);
}
