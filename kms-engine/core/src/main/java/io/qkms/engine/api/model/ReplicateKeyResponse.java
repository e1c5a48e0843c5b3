package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ReplicateKey. */
public record ReplicateKeyResponse(
    @JsonProperty("ReplicaKeyMetadata") KeyMetadata replicaKeyMetadata,
    @JsonProperty("ReplicaPolicy") String replicaPolicy,
    @JsonProperty("ReplicaTags") List<Tag> replicaTags) {
  public ReplicateKeyResponse {
    replicaTags = Values.copy(replicaTags);
  }
}
