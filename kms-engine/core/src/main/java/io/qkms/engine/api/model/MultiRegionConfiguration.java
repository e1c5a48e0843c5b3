package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a multi-region key relates to its primary and replicas. */
public record MultiRegionConfiguration(
    @JsonProperty("MultiRegionKeyType") String multiRegionKeyType,
    @JsonProperty("PrimaryKey") MultiRegionKey primaryKey,
    @JsonProperty("ReplicaKeys") java.util.List<MultiRegionKey> replicaKeys) {
  public MultiRegionConfiguration {
    replicaKeys =
        replicaKeys == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(replicaKeys));
  }
}
