package io.qkms.pipeline.deadletter;

import java.util.List;

/**
 * The stable error codes of dead letters. A failure the engine reports keeps the API's error code
 * ({@code InvalidCiphertextException}, {@code DisabledException}, ...: see the QKMS API page); the
 * codes below are the job's own, for records that never reached the engine.
 */
public final class ErrorCodes {
  /** A JSON line that is not one JSON object. */
  public static final String MALFORMED_RECORD = "MalformedRecord";

  /**
   * A JSON line beyond a limit of the JSON parser (nesting deeper than 1,000, a string longer than
   * 20,000,000 characters, a number longer than 1,000 digits): valid JSON perhaps, but not read.
   */
  public static final String JSON_LIMIT_EXCEEDED = "JsonLimitExceeded";

  /**
   * A record with a field the job reads (a ciphertext field, an object on its path, or a field a
   * context refers to) twice in one object: which one counts is ambiguous.
   */
  public static final String DUPLICATE_FIELD = "DuplicateField";

  /** A ciphertext field holding something other than a ciphertext (a number, an object, ...). */
  public static final String INVALID_FIELD_TYPE = "InvalidFieldType";

  /** A string ciphertext field that is not standard base64. */
  public static final String INVALID_BASE64 = "InvalidBase64";

  /** An encryption context refers to a field that is null or absent in the record. */
  public static final String CONTEXT_FIELD_MISSING = "ContextFieldMissing";

  /** An encryption context refers to a field whose value cannot be context text (an object). */
  public static final String CONTEXT_FIELD_INVALID = "ContextFieldInvalid";

  /**
   * A {@code tink-envelope} field whose length prefix does not fit the blob (a key longer than the
   * blob or than Tink allows, or none): not an envelope, or a cut-off one.
   */
  public static final String MALFORMED_ENVELOPE = "MalformedEnvelope";

  /** The job's own codes, for documentation and reports. */
  public static final List<String> JOB_CODES =
      List.of(
          MALFORMED_RECORD,
          JSON_LIMIT_EXCEEDED,
          DUPLICATE_FIELD,
          INVALID_FIELD_TYPE,
          INVALID_BASE64,
          CONTEXT_FIELD_MISSING,
          CONTEXT_FIELD_INVALID,
          MALFORMED_ENVELOPE);

  /**
   * The API's code for a ciphertext that does not open. The engine says no more than that (as AWS
   * KMS does, so a blob's checks cannot be told apart), so the dead letter carries a hint.
   */
  public static final String INVALID_CIPHERTEXT = "InvalidCiphertextException";

  static final String INVALID_CIPHERTEXT_HINT =
      "The ciphertext does not open: it was made with another encryption context than the"
          + " source context (check --sourceEncryptionContext and the record fields it names),"
          + " or it was changed, or it is no QKMS ciphertext";

  private ErrorCodes() {}

  /**
   * The message a dead letter carries for {@code code}: the engine's, or a hint where it is empty.
   */
  public static String message(String code, String engineMessage) {
    if ((engineMessage == null || engineMessage.isBlank()) && INVALID_CIPHERTEXT.equals(code)) {
      return INVALID_CIPHERTEXT_HINT;
    }
    return engineMessage;
  }
}
