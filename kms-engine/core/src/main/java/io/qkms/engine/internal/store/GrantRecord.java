package io.qkms.engine.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A grant on a key, as stored.
 *
 * @param grantId 64 lowercase hex digits
 * @param retiringPrincipal may be null
 * @param operations grant operation names, e.g. {@code ReEncryptFrom}
 * @param contextEquals may be null: the request's context must equal it exactly
 * @param contextSubset may be null: the request's context must contain all of it
 */
public record GrantRecord(
    String grantId,
    String name,
    String granteePrincipal,
    String retiringPrincipal,
    List<String> operations,
    Map<String, String> contextEquals,
    Map<String, String> contextSubset,
    Instant creationDate,
    String issuingAccount) {
  public GrantRecord {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(granteePrincipal, "granteePrincipal");
    Objects.requireNonNull(creationDate, "creationDate");
    operations = List.copyOf(operations);
    contextEquals = contextEquals == null ? null : Map.copyOf(contextEquals);
    contextSubset = contextSubset == null ? null : Map.copyOf(contextSubset);
  }
}
