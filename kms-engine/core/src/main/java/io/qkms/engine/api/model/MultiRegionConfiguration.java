package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** How a multi-region key relates to its primary and replicas. */
public record MultiRegionConfiguration(
    @JsonProperty("MultiRegionKeyType") String multiRegionKeyType,
    @JsonProperty("PrimaryKey") MultiRegionKey primaryKey,
    @JsonProperty("ReplicaKeys") List<MultiRegionKey> replicaKeys) {
  public MultiRegionConfiguration {
    replicaKeys = Values.copy(replicaKeys);
  }
}
