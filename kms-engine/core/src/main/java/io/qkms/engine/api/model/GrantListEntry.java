package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of ListGrants. */
public record GrantListEntry(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GrantId") String grantId,
    @JsonProperty("Name") String name,
    @JsonProperty("CreationDate") java.time.Instant creationDate,
    @JsonProperty("GranteePrincipal") String granteePrincipal,
    @JsonProperty("RetiringPrincipal") String retiringPrincipal,
    @JsonProperty("IssuingAccount") String issuingAccount,
    @JsonProperty("Operations") java.util.List<String> operations,
    @JsonProperty("Constraints") GrantConstraints constraints) {
  public GrantListEntry {
    operations =
        operations == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(operations));
  }
}
