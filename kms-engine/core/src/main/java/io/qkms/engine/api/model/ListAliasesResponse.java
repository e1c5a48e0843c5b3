package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ListAliases. */
public record ListAliasesResponse(
    @JsonProperty("Aliases") List<AliasListEntry> aliases,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListAliasesResponse {
    aliases = Values.copy(aliases);
  }
}
