package io.qkms.engine.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The canonical, unambiguous byte form of an encryption context, bound into every ciphertext as
 * associated data. It follows the AWS Encryption SDK's {@code EncryptionContextSerializer}: a
 * 2-byte entry count, then the entries sorted by the UTF-8 bytes of their keys, each written as a
 * 2-byte key length, the key, a 2-byte value length and the value. Because every string carries its
 * length, {@code {"ab":"c"}} and {@code {"a":"bc"}} encode differently (the emulators that
 * concatenate keys and values make them collide). An empty or absent context encodes as zero
 * entries, so "no context" and "empty context" are the same, as in AWS KMS.
 */
public final class EncryptionContextCodec {
  /** Largest key or value, in UTF-8 bytes, that the 2-byte length fields can carry. */
  public static final int MAX_STRING_BYTES = 0xFFFF;

  /** Largest number of entries the 2-byte count can carry. */
  public static final int MAX_ENTRIES = 0xFFFF;

  private EncryptionContextCodec() {}

  /**
   * Encodes {@code context}.
   *
   * @param context a map without null keys or values; {@code null} means no context
   * @throws IllegalArgumentException if an entry is too long, a string is not valid UTF-16 text
   *     (unpaired surrogates) or there are too many entries
   */
  public static byte[] encode(Map<String, String> context) {
    if (context == null || context.isEmpty()) {
      return new byte[] {0, 0};
    }
    int n = context.size();
    if (n > MAX_ENTRIES) {
      throw new IllegalArgumentException("Too many encryption context entries");
    }
    byte[][] keys = new byte[n][];
    byte[][] values = new byte[n][];
    int size = 2;
    int i = 0;
    for (Map.Entry<String, String> e : context.entrySet()) {
      keys[i] = utf8(e.getKey());
      values[i] = utf8(e.getValue());
      size += 4 + keys[i].length + values[i].length;
      i++;
    }
    int[] order = sortedByKey(keys);
    byte[] out = new byte[size];
    int pos = writeU16(out, 0, n);
    for (int idx : order) {
      pos = writeU16(out, pos, keys[idx].length);
      System.arraycopy(keys[idx], 0, out, pos, keys[idx].length);
      pos += keys[idx].length;
      pos = writeU16(out, pos, values[idx].length);
      System.arraycopy(values[idx], 0, out, pos, values[idx].length);
      pos += values[idx].length;
    }
    return out;
  }

  /**
   * Indices of {@code keys} in unsigned byte order; contexts are small, so usually by insertion.
   */
  private static int[] sortedByKey(byte[][] keys) {
    int n = keys.length;
    int[] order = new int[n];
    if (n > 16) {
      Integer[] boxed = new Integer[n];
      for (int i = 0; i < n; i++) {
        boxed[i] = i;
      }
      Arrays.sort(boxed, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
      for (int i = 0; i < n; i++) {
        order[i] = boxed[i];
      }
      return order;
    }
    for (int i = 0; i < n; i++) {
      int x = i;
      int j = i - 1;
      while (j >= 0 && Arrays.compareUnsigned(keys[order[j]], keys[x]) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    return order;
  }

  private static byte[] utf8(String s) {
    if (s == null) {
      throw new IllegalArgumentException("Encryption context keys and values must not be null");
    }
    if (!isWellFormed(s)) {
      throw new IllegalArgumentException("Encryption context strings must be valid Unicode text");
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > MAX_STRING_BYTES) {
      throw new IllegalArgumentException("Encryption context entry too long");
    }
    return b;
  }

  /** Unpaired surrogates would be replaced by '?' in UTF-8, making two contexts collide. */
  private static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private static int writeU16(byte[] out, int pos, int v) {
    out[pos] = (byte) (v >>> 8);
    out[pos + 1] = (byte) v;
    return pos + 2;
  }
}
