package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListKeyRotations. */
public record ListKeyRotationsResponse(
    @JsonProperty("Rotations") java.util.List<RotationsListEntry> rotations,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListKeyRotationsResponse {
    rotations =
        rotations == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(rotations));
  }
}
