package io.qkms.pipeline.deadletter;

import java.time.Instant;
import java.util.Objects;

/**
 * A record the re-key job could not re-encrypt, with why: the original record exactly as it was
 * read (so the dead letters can be replayed once the cause is fixed), the field that failed, a
 * stable error code, the message, the ARN of the key the failed ciphertext names (when it could be
 * read), how many attempts were made, and when. It never holds plaintext: the record holds
 * ciphertexts, and error messages name keys and fields, not values.
 *
 * @param <T> the record type
 */
public final class DeadLetter<T> {
  private final T record;
  private final String fieldPath;
  private final String errorCode;
  private final String message;
  private final String sourceKeyArn;
  private final int attempts;
  private final long timeMillis;

  public DeadLetter(
      T record,
      String fieldPath,
      String errorCode,
      String message,
      String sourceKeyArn,
      int attempts,
      Instant time) {
    this.record = Objects.requireNonNull(record, "record");
    this.fieldPath = fieldPath;
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    this.message = message == null ? "" : message;
    this.sourceKeyArn = sourceKeyArn;
    this.attempts = attempts;
    this.timeMillis = time.toEpochMilli();
  }

  /** The record as it was read. */
  public T record() {
    return record;
  }

  /** The failed field's path, or null when the failure concerns the whole record. */
  public String fieldPath() {
    return fieldPath;
  }

  /** An API error code ({@code DisabledException}) or one of {@link ErrorCodes}. */
  public String errorCode() {
    return errorCode;
  }

  public String message() {
    return message;
  }

  /** The key the failed ciphertext's header names, or null if unknown. */
  public String sourceKeyArn() {
    return sourceKeyArn;
  }

  /** Calls made to the engine for the failed field (more than one after transient errors). */
  public int attempts() {
    return attempts;
  }

  public Instant time() {
    return Instant.ofEpochMilli(timeMillis);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter<?> d
        && record.equals(d.record)
        && Objects.equals(fieldPath, d.fieldPath)
        && errorCode.equals(d.errorCode)
        && message.equals(d.message)
        && Objects.equals(sourceKeyArn, d.sourceKeyArn)
        && attempts == d.attempts
        && timeMillis == d.timeMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(record, fieldPath, errorCode, message, sourceKeyArn, attempts, timeMillis);
  }

  /** Names the failure, not the record (which may be large). */
  @Override
  public String toString() {
    return "DeadLetter["
        + errorCode
        + (fieldPath == null ? "" : " at " + fieldPath)
        + ": "
        + message
        + "]";
  }
}
