package io.qkms.engine.internal.store;

import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.crypto.Xaes256Gcm;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * Wraps key material with XAES-256-GCM under a 32-byte root key. A wrapped secret is a random
 * 24-byte nonce followed by the ciphertext and tag; the associated data names the purpose, the key
 * ID and the material ID. {@link #seal()} drops the root key (like sealing a Vault): until the
 * store is unsealed, every unwrap fails with {@link MaterialUnavailableException}.
 */
public final class RootKeyProtector implements MaterialProtector, AutoCloseable {
  private static final byte[] PURPOSE = "qkms/material/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CREDENTIAL_PURPOSE =
      "qkms/credential/v1".getBytes(StandardCharsets.US_ASCII);

  private volatile Xaes256Gcm.Key rootKey;

  /** Takes a copy of the 32-byte {@code rootKey}; the caller should zero its own. */
  public RootKeyProtector(byte[] rootKey) {
    this.rootKey = Xaes256Gcm.newKey(rootKey);
  }

  /** Drops the root key from memory. */
  public synchronized void seal() {
    Xaes256Gcm.Key k = rootKey;
    rootKey = null;
    if (k != null) {
      k.destroy();
    }
  }

  /** Loads a root key again; it must be the store's root key for unwrapping to succeed. */
  public synchronized void unseal(byte[] key) {
    seal();
    rootKey = Xaes256Gcm.newKey(key);
  }

  public boolean isSealed() {
    return rootKey == null;
  }

  @Override
  public byte[] wrap(KeyId keyId, MaterialId materialId, byte[] secret) {
    return seal(aad(keyId, materialId), secret);
  }

  @Override
  public byte[] unwrap(KeyId keyId, MaterialId materialId, byte[] wrapped) {
    return open(
        aad(keyId, materialId),
        wrapped,
        "A wrapped key material is truncated",
        "A wrapped key material does not authenticate under the root key");
  }

  @Override
  public byte[] wrapCredential(String accessKeyId, byte[] secret) {
    return seal(credentialAad(accessKeyId), secret);
  }

  @Override
  public byte[] unwrapCredential(String accessKeyId, byte[] wrapped) {
    return open(
        credentialAad(accessKeyId),
        wrapped,
        "A wrapped access key secret is truncated",
        "A wrapped access key secret does not authenticate under the root key");
  }

  private byte[] seal(byte[] aad, byte[] secret) {
    Xaes256Gcm.Key k = rootKey;
    if (k == null) {
      throw new MaterialUnavailableException("The key store is sealed");
    }
    byte[] out = new byte[Xaes256Gcm.NONCE_SIZE_BYTES + secret.length + Xaes256Gcm.TAG_SIZE_BYTES];
    byte[] nonce = new byte[Xaes256Gcm.NONCE_SIZE_BYTES];
    Randomness.current().nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    try {
      Xaes256Gcm.seal(
          k,
          out,
          0,
          aad,
          0,
          aad.length,
          null,
          secret,
          0,
          secret.length,
          out,
          Xaes256Gcm.NONCE_SIZE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Wrapping failed", e);
    }
    return out;
  }

  private byte[] open(byte[] aad, byte[] wrapped, String truncated, String damaged) {
    Xaes256Gcm.Key k = rootKey;
    if (k == null) {
      throw new MaterialUnavailableException("The key store is sealed");
    }
    if (wrapped.length < Xaes256Gcm.NONCE_SIZE_BYTES + Xaes256Gcm.TAG_SIZE_BYTES) {
      throw new StoreFailureException(truncated);
    }
    try {
      return Xaes256Gcm.open(
          k,
          wrapped,
          0,
          aad,
          0,
          aad.length,
          null,
          wrapped,
          Xaes256Gcm.NONCE_SIZE_BYTES,
          wrapped.length - Xaes256Gcm.NONCE_SIZE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new StoreFailureException(damaged);
    }
  }

  /** The purpose, a zero byte (no access key ID has one) and the access key ID. */
  private static byte[] credentialAad(String accessKeyId) {
    byte[] id = accessKeyId.getBytes(StandardCharsets.UTF_8);
    byte[] aad = new byte[CREDENTIAL_PURPOSE.length + 1 + id.length];
    System.arraycopy(CREDENTIAL_PURPOSE, 0, aad, 0, CREDENTIAL_PURPOSE.length);
    System.arraycopy(id, 0, aad, CREDENTIAL_PURPOSE.length + 1, id.length);
    return aad;
  }

  private static byte[] aad(KeyId keyId, MaterialId materialId) {
    byte[] aad = new byte[PURPOSE.length + 1 + KeyId.BINARY_SIZE_BYTES + MaterialId.SIZE_BYTES];
    System.arraycopy(PURPOSE, 0, aad, 0, PURPOSE.length);
    aad[PURPOSE.length] = (byte) (keyId.isMultiRegion() ? 2 : 1);
    keyId.writeBytes(aad, PURPOSE.length + 1);
    materialId.writeBytes(aad, PURPOSE.length + 1 + KeyId.BINARY_SIZE_BYTES);
    return aad;
  }

  @Override
  public void close() {
    seal();
  }

  /** A new random 32-byte root key; the caller owns and must zero it. */
  public static byte[] newRootKey() {
    byte[] key = new byte[Xaes256Gcm.KEY_SIZE_BYTES];
    Randomness.current().nextBytes(key);
    return key;
  }
}
