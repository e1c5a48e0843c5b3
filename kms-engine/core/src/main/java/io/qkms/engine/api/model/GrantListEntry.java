package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** One entry of ListGrants. */
public record GrantListEntry(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GrantId") String grantId,
    @JsonProperty("Name") String name,
    @JsonProperty("CreationDate") Instant creationDate,
    @JsonProperty("GranteePrincipal") String granteePrincipal,
    @JsonProperty("RetiringPrincipal") String retiringPrincipal,
    @JsonProperty("IssuingAccount") String issuingAccount,
    @JsonProperty("Operations") List<String> operations,
    @JsonProperty("Constraints") GrantConstraints constraints) {
  public GrantListEntry {
    operations = Values.copy(operations);
  }
}
