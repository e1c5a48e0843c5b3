package io.qkms.engine.auth;

import io.qkms.engine.keys.KeyId;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A grant token: URL-safe base64 (no padding) of a version byte, the key ID (kind byte and 16
 * bytes), the 32-byte grant ID and a 16-byte secret. Not secret in AWS's sense, but unguessable, so
 * a token proves the caller was given it by CreateGrant; it is valid only while its grant lives.
 */
public record GrantToken(KeyId keyId, String grantId, String secret) {
  private static final byte VERSION = 1;
  private static final int SIZE_BYTES = 1 + 1 + KeyId.BINARY_SIZE_BYTES + 32 + 16;
  private static final HexFormat HEX = HexFormat.of();

  /** The token text. */
  public String encode() {
    byte[] b = new byte[SIZE_BYTES];
    b[0] = VERSION;
    b[1] = (byte) (keyId.isMultiRegion() ? 2 : 1);
    keyId.writeBytes(b, 2);
    System.arraycopy(HEX.parseHex(grantId), 0, b, 2 + KeyId.BINARY_SIZE_BYTES, 32);
    System.arraycopy(HEX.parseHex(secret), 0, b, 2 + KeyId.BINARY_SIZE_BYTES + 32, 16);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Decodes a token, or returns null if it is not well-formed. */
  public static GrantToken decode(String text) {
    if (text == null || text.length() > 200) {
      return null;
    }
    byte[] b;
    try {
      b = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (b.length != SIZE_BYTES || b[0] != VERSION || (b[1] != 1 && b[1] != 2)) {
      return null;
    }
    byte[] id = new byte[KeyId.BINARY_SIZE_BYTES];
    System.arraycopy(b, 2, id, 0, id.length);
    KeyId keyId = KeyId.fromBytes(id, b[1] == 2);
    String grantId =
        HEX.formatHex(b, 2 + KeyId.BINARY_SIZE_BYTES, 2 + KeyId.BINARY_SIZE_BYTES + 32);
    String secret = HEX.formatHex(b, 2 + KeyId.BINARY_SIZE_BYTES + 32, SIZE_BYTES);
    return new GrantToken(keyId, grantId, secret);
  }
}
