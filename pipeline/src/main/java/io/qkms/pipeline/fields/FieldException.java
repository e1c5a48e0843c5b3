package io.qkms.pipeline.fields;

import io.qkms.pipeline.deadletter.ErrorCodes;

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

  /** A string ciphertext field that is not standard base64, the same for every record format. */
  static FieldException invalidBase64(String fieldPath) {
    return new FieldException(
        ErrorCodes.INVALID_BASE64,
        fieldPath,
        "The string field " + fieldPath + " does not hold standard base64");
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
