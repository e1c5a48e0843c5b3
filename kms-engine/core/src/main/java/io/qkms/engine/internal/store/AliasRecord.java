package io.qkms.engine.internal.store;

import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.KeyId;
import java.time.Instant;
import java.util.Objects;

/** An alias and the key it points to, in one region. */
public record AliasRecord(
    AliasName name, KeyId targetKeyId, Instant creationDate, Instant lastUpdatedDate) {
  public AliasRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(targetKeyId, "targetKeyId");
    Objects.requireNonNull(creationDate, "creationDate");
    Objects.requireNonNull(lastUpdatedDate, "lastUpdatedDate");
  }
}
