package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** How a multi-region key relates to its primary and replicas. */
public record MultiRegionConfiguration(
    @JsonProperty("MultiRegionKeyType") String multiRegionKeyType,
    @JsonProperty("PrimaryKey") MultiRegionKey primaryKey,
    @JsonProperty("ReplicaKeys") List<MultiRegionKey> replicaKeys) {
  public MultiRegionConfiguration {
    replicaKeys =
        replicaKeys == null ? null : Collections.unmodifiableList(new ArrayList<>(replicaKeys));
  }
}
