package io.qkms.engine.internal.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A grant token, shaped like AWS KMS's: base64 of a version byte {@code 0x01}, then a
 * protobuf-style field 1 ({@code 0x0a}, length {@code 0x40}) holding the 64-hex-digit grant ID,
 * then optional trailing fields that QKMS does not interpret (AWS tokens carry two more bytes).
 * Like AWS's, a token is not a secret: it names a grant, and is valid only while that grant lives.
 */
public record GrantToken(String grantId) {
  private static final int HEADER_BYTES = 3;
  private static final int GRANT_ID_CHARS = 64;
  private static final int MAX_TRAILER_BYTES = 64;

  public GrantToken {
    if (!isGrantId(grantId)) {
      throw new IllegalArgumentException("A grant ID is 64 lowercase hex digits");
    }
  }

  /** The token text. */
  public String encode() {
    byte[] b = new byte[HEADER_BYTES + GRANT_ID_CHARS];
    b[0] = 0x01;
    b[1] = 0x0a;
    b[2] = GRANT_ID_CHARS;
    System.arraycopy(grantId.getBytes(StandardCharsets.US_ASCII), 0, b, 3, GRANT_ID_CHARS);
    return Base64.getEncoder().encodeToString(b);
  }

  /** Decodes a token, or returns null if it is not well-formed. */
  public static GrantToken decode(String text) {
    if (text == null
        || text.length() > 4 * ((HEADER_BYTES + GRANT_ID_CHARS + MAX_TRAILER_BYTES + 2) / 3)) {
      return null;
    }
    byte[] b;
    try {
      b = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (b.length < HEADER_BYTES + GRANT_ID_CHARS
        || b.length > HEADER_BYTES + GRANT_ID_CHARS + MAX_TRAILER_BYTES
        || b[0] != 0x01
        || b[1] != 0x0a
        || b[2] != GRANT_ID_CHARS) {
      return null;
    }
    String id = new String(b, HEADER_BYTES, GRANT_ID_CHARS, StandardCharsets.US_ASCII);
    return isGrantId(id) ? new GrantToken(id) : null;
  }

  /** Whether {@code s} is 64 lowercase hex digits. */
  public static boolean isGrantId(String s) {
    if (s == null || s.length() != GRANT_ID_CHARS) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
