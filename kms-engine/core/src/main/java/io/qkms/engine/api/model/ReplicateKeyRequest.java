package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ReplicateKey. */
public record ReplicateKeyRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("ReplicaRegion") String replicaRegion,
    @JsonProperty("Policy") String policy,
    @JsonProperty("BypassPolicyLockoutSafetyCheck") Boolean bypassPolicyLockoutSafetyCheck,
    @JsonProperty("Description") String description,
    @JsonProperty("Tags") java.util.List<Tag> tags) {
  public ReplicateKeyRequest {
    tags =
        tags == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(tags));
  }
}
