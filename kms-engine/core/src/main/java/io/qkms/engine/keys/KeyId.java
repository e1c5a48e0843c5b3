package io.qkms.engine.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A key ID: either the UUID form ({@code 1234abcd-12ab-34cd-56ef-1234567890ab}) or, for
 * multi-region keys, {@code mrk-} followed by 32 lowercase hex digits. Both forms carry 16 bytes,
 * which is what a ciphertext header stores.
 */
public final class KeyId {
  /** Size of the binary form of either kind of key ID. */
  public static final int BINARY_SIZE_BYTES = 16;

  private static final String MRK_PREFIX = "mrk-";
  private static final HexFormat HEX = HexFormat.of();

  private final boolean multiRegion;
  private final byte[] bytes;
  // Computed on first use: ciphertext headers are parsed into key IDs on the hot path, and most
  // of those are only compared, never printed.
  private String text;

  private final int hash; // map keys of every key cache: computed once

  private KeyId(String text, boolean multiRegion, byte[] bytes) {
    this.text = text;
    this.multiRegion = multiRegion;
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes) * 31 + (multiRegion ? 1 : 0);
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException if {@code text} is not a key ID in either form
   */
  public static KeyId parse(String text) {
    KeyId id = tryParse(text);
    if (id == null) {
      throw new IllegalArgumentException("Not a key ID: " + text);
    }
    return id;
  }

  /** Parses the text form, or returns {@code null} if it is not a key ID. */
  public static KeyId tryParse(String text) {
    if (text == null) {
      return null;
    }
    if (text.length() == 36 && isUuidShape(text)) {
      String hex = text.replace("-", "");
      return new KeyId(text, false, HEX.parseHex(hex));
    }
    if (text.length() == MRK_PREFIX.length() + 32
        && text.startsWith(MRK_PREFIX)
        && isLowerHex(text, MRK_PREFIX.length(), text.length())) {
      return new KeyId(text, true, HEX.parseHex(text, MRK_PREFIX.length(), text.length()));
    }
    return null;
  }

  /** Rebuilds a key ID from its binary form and kind, as stored in a ciphertext header. */
  public static KeyId fromBytes(byte[] bytes, boolean multiRegion) {
    if (bytes.length != BINARY_SIZE_BYTES) {
      throw new IllegalArgumentException("A key ID has 16 bytes");
    }
    return new KeyId(null, multiRegion, bytes.clone());
  }

  /** Reads a key ID from the 16 bytes at {@code offset} of {@code in}. */
  public static KeyId fromBytes(byte[] in, int offset, boolean multiRegion) {
    return new KeyId(null, multiRegion, Arrays.copyOfRange(in, offset, offset + BINARY_SIZE_BYTES));
  }

  private static String format(byte[] bytes, boolean multiRegion) {
    String hex = HEX.formatHex(bytes);
    return multiRegion
        ? MRK_PREFIX + hex
        : hex.substring(0, 8)
            + '-'
            + hex.substring(8, 12)
            + '-'
            + hex.substring(12, 16)
            + '-'
            + hex.substring(16, 20)
            + '-'
            + hex.substring(20);
  }

  /** A new random key ID of the requested kind. */
  public static KeyId random(boolean multiRegion, SecureRandom random) {
    byte[] bytes = new byte[BINARY_SIZE_BYTES];
    random.nextBytes(bytes);
    if (!multiRegion) {
      // RFC 4122 version 4 layout, so the UUID form is a real random UUID.
      bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
      bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
    }
    return fromBytes(bytes, multiRegion);
  }

  private static boolean isUuidShape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : !isLowerHexChar(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerHex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isLowerHexChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerHexChar(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  public boolean isMultiRegion() {
    return multiRegion;
  }

  /** A copy of the 16-byte binary form. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** Writes the 16-byte binary form into {@code out} at {@code offset}. */
  public void writeBytes(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, BINARY_SIZE_BYTES);
  }

  public String value() {
    String t = text;
    if (t == null) {
      t = format(bytes, multiRegion);
      text = t; // a benign race: every thread computes the same string
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyId other
        && hash == other.hash
        && multiRegion == other.multiRegion
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return value();
  }
}
