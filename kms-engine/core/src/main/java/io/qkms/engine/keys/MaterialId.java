package io.qkms.engine.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** Identifies one backing material of a key: 32 bytes, shown as 64 lowercase hex digits. */
public final class MaterialId {
  public static final int SIZE_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;
  private String hex; // computed on first use; most header-parsed IDs are only compared

  private final int hash; // map keys of the material cache: computed once

  private MaterialId(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  public static MaterialId random(SecureRandom random) {
    byte[] b = new byte[SIZE_BYTES];
    random.nextBytes(b);
    return new MaterialId(b);
  }

  /** From the 32 bytes at {@code offset} of {@code in}. */
  public static MaterialId fromBytes(byte[] in, int offset) {
    return new MaterialId(Arrays.copyOfRange(in, offset, offset + SIZE_BYTES));
  }

  /**
   * Parses the hex form.
   *
   * @throws IllegalArgumentException unless it is 64 lowercase hex digits
   */
  public static MaterialId parse(String hex) {
    if (hex == null || hex.length() != 2 * SIZE_BYTES) {
      throw new IllegalArgumentException("A key material ID is 64 hex digits");
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException("A key material ID is 64 lowercase hex digits");
      }
    }
    MaterialId id = new MaterialId(HEX.parseHex(hex));
    id.hex = hex;
    return id;
  }

  public void writeBytes(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, SIZE_BYTES);
  }

  /**
   * Whether the 32 bytes at {@code offset} of {@code in} are this ID (not secret: plain compare).
   */
  public boolean matches(byte[] in, int offset) {
    return Arrays.equals(bytes, 0, SIZE_BYTES, in, offset, offset + SIZE_BYTES);
  }

  public String hex() {
    String h = hex;
    if (h == null) {
      h = HEX.formatHex(bytes);
      hex = h; // a benign race: every thread computes the same string
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MaterialId other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return hex();
  }
}
