package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ListGrants. */
public record ListGrantsResponse(
    @JsonProperty("Grants") List<GrantListEntry> grants,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListGrantsResponse {
    grants = Values.copy(grants);
  }
}
