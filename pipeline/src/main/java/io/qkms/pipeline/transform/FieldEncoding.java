package io.qkms.pipeline.transform;

import io.qkms.pipeline.fields.FieldException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a ciphertext field holds, and so what of it is re-encrypted: the spec file's {@code
 * encoding} of a field, or {@code --fieldEncoding} for every field.
 */
public enum FieldEncoding {
  /** A whole QKMS ciphertext blob, re-encrypted as it is. */
  QKMS("qkms"),
  /**
   * Tink's {@code KmsEnvelopeAead} ciphertext: a 4-byte big-endian length, the KMS-encrypted data
   * key, then the data key's ciphertext of the value. Only the encrypted data key is re-encrypted,
   * with the empty encryption context Tink uses; the rest is copied byte for byte.
   */
  TINK_ENVELOPE("tink-envelope"),
  /**
   * An encrypted data key stored on its own, next to the data it encrypts: re-encrypted exactly as
   * {@link #QKMS}, named so for clarity in specs and reports.
   */
  EDK_COLUMN("edk-column");

  private final String label;

  FieldEncoding(String label) {
    this.label = label;
  }

  /**
   * The name in specs, flags and reports: {@code qkms}, {@code tink-envelope}, {@code edk-column}.
   */
  public String label() {
    return label;
  }

  /**
   * The part of a field's value that is re-encrypted: the value itself, or an envelope's encrypted
   * data key.
   *
   * @throws FieldException {@code MalformedEnvelope} for a {@code tink-envelope} value of another
   *     shape
   */
  public byte[] reEncryptedPart(byte[] value, String fieldPath) throws FieldException {
    return this == TINK_ENVELOPE ? TinkEnvelope.parse(value, fieldPath).encryptedKey() : value;
  }

  /**
   * The encoding of that name (case and surrounding blanks ignored).
   *
   * @throws IllegalArgumentException naming the known encodings
   */
  public static FieldEncoding parse(String name) {
    String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    for (FieldEncoding e : values()) {
      if (e.label.equals(n)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown field encoding '"
            + name
            + "' (known: "
            + Arrays.stream(values()).map(FieldEncoding::label).collect(Collectors.joining(", "))
            + ")");
  }

  @Override
  public String toString() {
    return label;
  }
}
