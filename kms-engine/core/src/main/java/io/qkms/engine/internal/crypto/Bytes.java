package io.qkms.engine.internal.crypto;

import java.util.Arrays;

/** Small helpers for secret byte arrays. */
public final class Bytes {
  private Bytes() {}

  /** Overwrites {@code secret} with zeros; a null array is ignored. */
  public static void zero(byte[] secret) {
    if (secret != null) {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
