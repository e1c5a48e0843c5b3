package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListGrants. */
public record ListGrantsResponse(
    @JsonProperty("Grants") java.util.List<GrantListEntry> grants,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListGrantsResponse {
    grants =
        grants == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(grants));
  }
}
