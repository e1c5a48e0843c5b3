package io.qkms.engine.internal.store;

import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.RotationType;
import java.time.Instant;
import java.util.Objects;

/**
 * One backing material of a key, as stored: its ID, when and how it was made, the secret wrapped by
 * the store's {@link MaterialProtector}, and for asymmetric keys the public key.
 *
 * @param wrappedSecret never the raw secret; only the store's protector can unwrap it
 * @param publicKey X.509 public key of an asymmetric key, else null
 */
public record MaterialRecord(
    MaterialId id,
    Instant createdAt,
    RotationType rotationType,
    byte[] wrappedSecret,
    byte[] publicKey) {
  public MaterialRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(rotationType, "rotationType");
    Objects.requireNonNull(wrappedSecret, "wrappedSecret");
  }

  @Override
  public String toString() {
    return "MaterialRecord[" + id + ", " + rotationType + ", " + createdAt + "]";
  }
}
