package io.qkms.engine.internal.store;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;

/**
 * Protects key material at rest: a store keeps only wrapped secrets, and the engine unwraps one
 * when it is not in its cache. Wrapping binds the key and material IDs, so a wrapped secret moved
 * to another key or material does not unwrap.
 */
public interface MaterialProtector {
  /** Wraps {@code secret}; does not keep or change it. */
  byte[] wrap(KeyId keyId, MaterialId materialId, byte[] secret);

  /**
   * Unwraps a secret; the caller owns the result and must zero it.
   *
   * @throws MaterialUnavailableException if the root key cannot be used right now (sealed store)
   * @throws StoreFailureException if the wrapped secret does not authenticate (damaged store)
   */
  byte[] unwrap(KeyId keyId, MaterialId materialId, byte[] wrapped);

  /**
   * Wraps the secret of an access key of the HTTP endpoint; bound to the access key ID, and kept
   * apart from key material (a wrapped credential never unwraps as material, nor the reverse).
   */
  byte[] wrapCredential(String accessKeyId, byte[] secret);

  /**
   * Unwraps a credential secret; the caller owns the result and must zero it.
   *
   * @throws MaterialUnavailableException if the root key cannot be used right now (sealed store)
   * @throws StoreFailureException if the wrapped secret does not authenticate (damaged store)
   */
  byte[] unwrapCredential(String accessKeyId, byte[] wrapped);
}
