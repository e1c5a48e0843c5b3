package io.qkms.pipeline.fields;

import java.io.Serializable;
import java.util.List;

/**
 * A kind of record the re-key transform reads: Avro {@code GenericRecord}s of one schema, or JSON
 * Lines. Serializable configuration; {@link #compile} builds the per-instance accessor on the
 * worker.
 *
 * @param <T> the record type
 */
public interface RecordFormat<T> extends Serializable {
  /**
   * Builds an accessor for these ciphertext paths and context-reference paths.
   *
   * @throws IllegalArgumentException if the format can tell already that a path cannot work (a
   *     field the schema does not have, a type that cannot hold a ciphertext), naming the path
   */
  RecordAccessor<T> compile(List<FieldPath> targets, List<FieldPath> references);

  /** Short name for reports and dead letters: {@code avro} or {@code jsonl}. */
  String name();
}
