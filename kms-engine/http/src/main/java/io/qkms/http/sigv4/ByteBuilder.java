package io.qkms.http.sigv4;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer that SigV4's canonical request and string to sign are written into, as
 * UTF-8, so they can be hashed without building Strings first. One per thread, reused.
 */
final class ByteBuilder {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf = new byte[1024];
  private int len;

  ByteBuilder reset() {
    len = 0;
    if (buf.length > 64 * 1024) {
      buf = new byte[1024]; // one huge request must not pin a huge buffer to the thread
    }
    return this;
  }

  byte[] array() {
    return buf;
  }

  int length() {
    return len;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  ByteBuilder append(byte b) {
    ensure(1);
    buf[len++] = b;
    return this;
  }

  ByteBuilder append(char c) {
    if (c < 0x80) {
      return append((byte) c);
    }
    return append(String.valueOf(c));
  }

  /** Appends {@code s} as UTF-8. */
  ByteBuilder append(String s) {
    return append(s, 0, s.length());
  }

  ByteBuilder append(String s, int from, int to) {
    ensure(to - from);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        ensure(1);
        buf[len++] = (byte) c;
      } else {
        appendUtf8(s, i, c);
        if (Character.isHighSurrogate(c) && i + 1 < to) {
          i++;
        }
      }
    }
    return this;
  }

  private void appendUtf8(String s, int i, char c) {
    int cp = Character.isHighSurrogate(c) && i + 1 < s.length() ? s.codePointAt(i) : c;
    if (Character.isSurrogate((char) cp) && cp < 0x10000) {
      cp = 0xFFFD; // a lone surrogate, as String.getBytes would replace it
    }
    ensure(4);
    if (cp < 0x800) {
      buf[len++] = (byte) (0xC0 | cp >> 6);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      buf[len++] = (byte) (0xE0 | cp >> 12);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else {
      buf[len++] = (byte) (0xF0 | cp >> 18);
      buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    }
  }

  /** Appends lower-case hex of {@code bytes}. */
  ByteBuilder appendHex(byte[] bytes) {
    ensure(bytes.length * 2);
    for (byte b : bytes) {
      buf[len++] = HEX[(b >> 4) & 0xF];
      buf[len++] = HEX[b & 0xF];
    }
    return this;
  }

  /** Appends {@code b} percent-encoded ({@code %XX}, upper-case) unless it is unreserved. */
  ByteBuilder appendUriEncoded(byte b, boolean keepSlash) {
    if (isUnreserved(b) || keepSlash && b == '/') {
      return append(b);
    }
    ensure(3);
    buf[len++] = '%';
    buf[len++] = HEX_UPPER[(b >> 4) & 0xF];
    buf[len++] = HEX_UPPER[b & 0xF];
    return this;
  }

  static boolean isUnreserved(byte b) {
    return (b >= 'A' && b <= 'Z')
        || (b >= 'a' && b <= 'z')
        || (b >= '0' && b <= '9')
        || b == '-'
        || b == '.'
        || b == '_'
        || b == '~';
  }

  /** Lower-case hex of {@code bytes}, as ASCII bytes. */
  static byte[] hex(byte[] bytes) {
    byte[] out = new byte[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return out;
  }
}
