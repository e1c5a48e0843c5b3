package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ReplicateKey. */
public record ReplicateKeyResponse(
    @JsonProperty("ReplicaKeyMetadata") KeyMetadata replicaKeyMetadata,
    @JsonProperty("ReplicaPolicy") String replicaPolicy,
    @JsonProperty("ReplicaTags") java.util.List<Tag> replicaTags) {
  public ReplicateKeyResponse {
    replicaTags =
        replicaTags == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(replicaTags));
  }
}
