package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ReplicateKey. */
public record ReplicateKeyRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("ReplicaRegion") String replicaRegion,
    @JsonProperty("Policy") String policy,
    @JsonProperty("BypassPolicyLockoutSafetyCheck") Boolean bypassPolicyLockoutSafetyCheck,
    @JsonProperty("Description") String description,
    @JsonProperty("Tags") List<Tag> tags) {
  public ReplicateKeyRequest {
    tags = Values.copy(tags);
  }
}
