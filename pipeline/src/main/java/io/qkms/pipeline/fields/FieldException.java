package io.qkms.pipeline.fields;

/**
 * A record that cannot be processed as it is: the record goes to the dead letters with {@link
 * #code()} and the field path. Messages name fields and types, never values.
 */
public final class FieldException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String fieldPath;

  public FieldException(String code, String fieldPath, String message) {
    super(message, null, false, false);
    this.code = code;
    this.fieldPath = fieldPath;
  }

  /** A stable error code from {@link io.qkms.pipeline.deadletter.ErrorCodes}. */
  public String code() {
    return code;
  }

  /** The field the problem is in, or null when it concerns the whole record. */
  public String fieldPath() {
    return fieldPath;
  }
}
