package io.qkms.pipeline.transform;

import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.fields.FieldException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The parts of a Tink {@code KmsEnvelopeAead} ciphertext: {@code length (4 bytes, big-endian) ||
 * encrypted data key || payload}. The bounds are Tink's own: a key of 1 to 4,096 bytes that the
 * blob holds whole; a payload (the value under the data key) follows, never read here.
 */
final class TinkEnvelope {
  /** Tink's limit on the encrypted data key (KmsEnvelopeAead.MAX_ENCRYPTED_DEK_LEN). */
  static final int MAX_KEY_LENGTH = 4096;

  private static final int PREFIX = 4;

  private final byte[] blob;
  private final int keyLength;

  private TinkEnvelope(byte[] blob, int keyLength) {
    this.blob = blob;
    this.keyLength = keyLength;
  }

  /**
   * Splits {@code blob}; a blob that is not shaped as an envelope is a {@link
   * ErrorCodes#MALFORMED_ENVELOPE} of the field (dead-lettered, never sent to the engine).
   */
  static TinkEnvelope parse(byte[] blob, String fieldPath) throws FieldException {
    if (blob.length < PREFIX) {
      throw malformed(fieldPath, "is " + blob.length + " bytes, shorter than the length prefix");
    }
    int length = ByteBuffer.wrap(blob, 0, PREFIX).getInt();
    if (length <= 0 || length > MAX_KEY_LENGTH) {
      throw malformed(
          fieldPath,
          "gives the encrypted data key a length of "
              + Integer.toUnsignedString(length)
              + " bytes (Tink's are 1 to "
              + MAX_KEY_LENGTH
              + ")");
    }
    if (length >= blob.length - PREFIX) {
      throw malformed(
          fieldPath,
          "is cut off: "
              + blob.length
              + " bytes hold no "
              + length
              + "-byte encrypted data key followed by a payload");
    }
    return new TinkEnvelope(blob, length);
  }

  private static FieldException malformed(String fieldPath, String what) {
    return new FieldException(
        ErrorCodes.MALFORMED_ENVELOPE,
        fieldPath,
        "The tink-envelope field " + fieldPath + " " + what);
  }

  /** The KMS-encrypted data key (a copy). */
  byte[] encryptedKey() {
    return Arrays.copyOfRange(blob, PREFIX, PREFIX + keyLength);
  }

  /**
   * The same envelope with {@code newKey} in place of the encrypted data key; payload unchanged.
   */
  byte[] withEncryptedKey(byte[] newKey) {
    int payload = blob.length - PREFIX - keyLength;
    return ByteBuffer.allocate(PREFIX + newKey.length + payload)
        .putInt(newKey.length)
        .put(newKey)
        .put(blob, PREFIX + keyLength, payload)
        .array();
  }
}
