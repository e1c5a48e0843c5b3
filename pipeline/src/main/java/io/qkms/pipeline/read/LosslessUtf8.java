package io.qkms.pipeline.read;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes to text and back without loss, for lines that must be written exactly as they were read.
 * Well-formed UTF-8 decodes as usual; each byte of an ill-formed sequence becomes one lone
 * surrogate, U+DC80 to U+DCFF for bytes 0x80 to 0xFF (the convention of Python's {@code
 * surrogateescape}), and {@link #encode} turns such a surrogate back into its byte. Well-formed
 * UTF-8 never decodes to a lone surrogate, so the mapping is one to one: {@code encode(decode(b))}
 * is {@code b} for any bytes {@code b}.
 *
 * <p>Why: the JDK's decoder (and so Beam's {@code TextIO}) replaces ill-formed bytes with U+FFFD,
 * which silently changed fields the job must not touch.
 */
public final class LosslessUtf8 {
  private static final char ESCAPE_BASE = 0xDC00;

  private LosslessUtf8() {}

  /** Bytes {@code [offset, offset + length)} of {@code bytes} as text, losslessly. */
  public static String decode(byte[] bytes, int offset, int length) {
    // The JDK's decoder is the fast path (vectorised for ASCII). It yields U+FFFD only for
    // ill-formed input or a U+FFFD that was there: only then is the exact decoder needed.
    String s = new String(bytes, offset, length, StandardCharsets.UTF_8);
    return s.indexOf('\uFFFD') < 0 ? s : decodeExactly(bytes, offset, length);
  }

  /**
   * Whether {@code s} holds a lone surrogate: a byte escape, or one that a JSON <code>&#92;u</code>
   * escape made. Either way it is not Unicode text.
   */
  public static boolean hasLoneSurrogate(CharSequence s) {
    return firstLoneSurrogate(s, 0) >= 0;
  }

  /**
   * The index of the first lone surrogate of {@code s} at or after {@code from} (a surrogate that
   * is not half of a pair), or -1.
   */
  public static int firstLoneSurrogate(CharSequence s, int from) {
    int n = s.length();
    for (int i = from; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The bytes {@code s} was decoded from: UTF-8, with each byte escape back as its byte.
   *
   * @throws IllegalArgumentException if {@code s} holds a lone surrogate that is no byte escape
   *     (text that did not come from {@link #decode}); it names the position, not the text
   */
  public static byte[] encode(String s) {
    // Most lines are plain: let the JDK's (vectorised) encoder do them.
    if (firstLoneSurrogate(s, 0) < 0) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    ByteBuffer out = ByteBuffer.allocate(maxEncodedLength(s));
    new Encoder().encode(s, out);
    return java.util.Arrays.copyOf(out.array(), out.position());
  }

  /** An upper bound of the encoded length of {@code s}: 3 bytes a char. */
  static int maxEncodedLength(CharSequence s) {
    return Math.multiplyExact(s.length(), 3);
  }

  /**
   * An encoder for many strings in a row, into a caller's buffer, without allocating: the JDK's
   * UTF-8 encoder (whose ASCII runs are vectorised) over a reused char array, stepping in only
   * where it stops at a lone surrogate. Not thread-safe.
   */
  static final class Encoder {
    private final CharsetEncoder utf8 =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private char[] chars = new char[1024];
    private CharBuffer in = CharBuffer.wrap(chars);

    /**
     * Encodes {@code s} into {@code dst} (a heap buffer), which must have room for {@link
     * #maxEncodedLength}.
     *
     * @throws IllegalArgumentException as {@link LosslessUtf8#encode}
     */
    void encode(String s, ByteBuffer dst) {
      int n = s.length();
      if (n > chars.length) {
        chars = new char[Math.max(n, 2 * chars.length)];
        in = CharBuffer.wrap(chars);
      }
      s.getChars(0, n, chars, 0);
      in.clear().limit(n);
      utf8.reset();
      while (true) {
        CoderResult r = utf8.encode(in, dst, true);
        if (r.isUnderflow()) {
          return;
        }
        int at = in.position();
        char c = chars[at];
        if (!r.isMalformed() || c < 0xDC80 || c > 0xDCFF) {
          throw new IllegalArgumentException(
              "The text holds a lone surrogate that stands for no byte, at index " + at);
        }
        dst.put((byte) (c - ESCAPE_BASE));
        in.position(at + 1);
      }
    }
  }

  /** The decoder for input that is not well-formed UTF-8: ill-formed bytes become escapes. */
  static String decodeExactly(byte[] b, int offset, int length) {
    StringBuilder out = new StringBuilder(length);
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int b0 = b[i] & 0xFF;
      if (b0 < 0x80) {
        out.append((char) b0);
        i++;
        continue;
      }
      int need; // continuation bytes
      int lo = 0x80; // the range of the first continuation byte (the rest: 0x80 to 0xBF)
      int hi = 0xBF;
      if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
      } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0) {
          lo = 0xA0; // no overlong forms
        } else if (b0 == 0xED) {
          hi = 0x9F; // no surrogates
        }
      } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0) {
          lo = 0x90;
        } else if (b0 == 0xF4) {
          hi = 0x8F; // nothing above U+10FFFF
        }
      } else {
        out.append((char) (ESCAPE_BASE + b0));
        i++;
        continue;
      }
      if (!wellFormed(b, i, end, need, lo, hi)) {
        out.append((char) (ESCAPE_BASE + b0)); // this byte alone; the next ones get their turn
        i++;
        continue;
      }
      int cp = b0 & (0x3F >> need);
      for (int k = 1; k <= need; k++) {
        cp = (cp << 6) | (b[i + k] & 0x3F);
      }
      out.appendCodePoint(cp);
      i += need + 1;
    }
    return out.toString();
  }

  private static boolean wellFormed(byte[] b, int i, int end, int need, int lo, int hi) {
    if (i + need >= end) {
      return false;
    }
    int c1 = b[i + 1] & 0xFF;
    if (c1 < lo || c1 > hi) {
      return false;
    }
    for (int k = 2; k <= need; k++) {
      int c = b[i + k] & 0xFF;
      if (c < 0x80 || c > 0xBF) {
        return false;
      }
    }
    return true;
  }
}
