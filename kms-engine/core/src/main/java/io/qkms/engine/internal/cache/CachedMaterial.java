package io.qkms.engine.internal.cache;

import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.Xaes256Gcm;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An unwrapped key material held by the cache. Reference-counted: the cache holds one reference and
 * every user takes another with {@link #retain()}, so a material evicted while a thread is
 * encrypting with it is wiped only when that thread calls {@link #release()}, never under it.
 */
public final class CachedMaterial {
  private final Xaes256Gcm.Key symmetricKey;
  private final byte[] secret;
  private final AtomicInteger references = new AtomicInteger(1);

  private CachedMaterial(Xaes256Gcm.Key symmetricKey, byte[] secret) {
    this.symmetricKey = symmetricKey;
    this.secret = secret;
  }

  /** A symmetric (SYMMETRIC_DEFAULT) material; takes a copy of {@code keyBytes}. */
  public static CachedMaterial symmetric(byte[] keyBytes) {
    return new CachedMaterial(Xaes256Gcm.newKey(keyBytes), null);
  }

  /** Any other material (HMAC key, PKCS#8 private key); takes ownership of {@code secret}. */
  public static CachedMaterial opaque(byte[] secret) {
    return new CachedMaterial(null, secret);
  }

  /** The XAES key of a symmetric material; only valid between retain and release. */
  public Xaes256Gcm.Key symmetricKey() {
    if (symmetricKey == null) {
      throw new IllegalStateException("Not a symmetric material");
    }
    return symmetricKey;
  }

  /** The raw secret of a non-symmetric material; only valid between retain and release. */
  public byte[] secret() {
    if (secret == null) {
      throw new IllegalStateException("A symmetric material has no raw secret here");
    }
    return secret;
  }

  /** Takes a reference; false if the material was already wiped (load it again). */
  public boolean retain() {
    for (; ; ) {
      int r = references.get();
      if (r == 0) {
        return false;
      }
      if (references.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one wipes the material. */
  public void release() {
    for (; ; ) {
      int r = references.get();
      if (r == 0) {
        // Never below zero: a count of -1 would let retain() revive a wiped material.
        throw new IllegalStateException("CachedMaterial released more often than retained");
      }
      if (references.compareAndSet(r, r - 1)) {
        if (r == 1) {
          if (symmetricKey != null) {
            symmetricKey.destroy();
          }
          Bytes.zero(secret);
        }
        return;
      }
    }
  }

  /** Whether the material has been wiped. */
  public boolean isDestroyed() {
    return references.get() == 0;
  }
}
