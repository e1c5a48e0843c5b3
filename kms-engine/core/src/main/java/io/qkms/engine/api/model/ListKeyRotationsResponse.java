package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ListKeyRotations. */
public record ListKeyRotationsResponse(
    @JsonProperty("Rotations") List<RotationsListEntry> rotations,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListKeyRotationsResponse {
    rotations = Values.copy(rotations);
  }
}
