package io.qkms.pipeline.worker.remote;

import java.util.HexFormat;
import java.util.UUID;

/**
 * The cleartext header of a QKMS symmetric ciphertext (kms-engine/README.md, "Ciphertext format"):
 * magic {@code 0x51}, version {@code 0x01}, key ID kind ({@code 0x01} a UUID, {@code 0x02} a
 * multi-Region {@code mrk-} ID), 16 bytes of key ID, 32 bytes of material ID; blobs are 92 to 4187
 * bytes. A remote worker reads it to learn, without a call, which key and material a blob names. It
 * proves nothing: the header is authenticated only when the blob is opened, by the endpoint.
 */
final class QkmsHeader {
  static final int MIN_LENGTH = 92;
  static final int MAX_LENGTH = 4187;
  private static final HexFormat HEX = HexFormat.of();

  /** The key ID ({@code 1234abcd-...} or {@code mrk-<32 hex>}) and the 64-hex-digit material ID. */
  record Parsed(String keyId, String materialId) {}

  private QkmsHeader() {}

  /** The header's key and material, or null if {@code blob} is no QKMS ciphertext. */
  static Parsed parse(byte[] blob) {
    if (blob == null
        || blob.length < MIN_LENGTH
        || blob.length > MAX_LENGTH
        || blob[0] != 0x51
        || blob[1] != 0x01) {
      return null;
    }
    String keyId;
    if (blob[2] == 0x01) {
      long high = 0;
      long low = 0;
      for (int i = 0; i < 8; i++) {
        high = (high << 8) | (blob[3 + i] & 0xff);
        low = (low << 8) | (blob[11 + i] & 0xff);
      }
      keyId = new UUID(high, low).toString();
    } else if (blob[2] == 0x02) {
      keyId = "mrk-" + HEX.formatHex(blob, 3, 19);
    } else {
      return null;
    }
    return new Parsed(keyId, HEX.formatHex(blob, 19, 51));
  }
}
