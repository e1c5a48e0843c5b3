package io.qkms.engine.internal.crypto;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An AES key whose bytes we own and can zero. {@link javax.crypto.spec.SecretKeySpec} keeps a
 * private copy that cannot be wiped on JDK 17; this class hands the provider a fresh copy on each
 * {@link #getEncoded()} (the provider expands and discards it) and wipes its own on {@link
 * #destroy()}.
 */
final class AesKey implements SecretKey {
  private static final long serialVersionUID = 1L;

  private final byte[] bytes;
  private volatile boolean destroyed;

  /** Takes ownership of {@code bytes}: the caller must not keep or change them. */
  AesKey(byte[] bytes) {
    if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
      throw new IllegalArgumentException("AES keys are 16, 24 or 32 bytes");
    }
    this.bytes = bytes;
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("Key destroyed");
    }
    return bytes.clone();
  }

  int sizeBytes() {
    return bytes.length;
  }

  @Override
  public void destroy() {
    destroyed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "AesKey[" + bytes.length * 8 + " bits]";
  }
}
