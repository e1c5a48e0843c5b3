package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListAliases. */
public record ListAliasesResponse(
    @JsonProperty("Aliases") java.util.List<AliasListEntry> aliases,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListAliasesResponse {
    aliases =
        aliases == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(aliases));
  }
}
