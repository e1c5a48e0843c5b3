package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** ListKeys. */
public record ListKeysResponse(
    @JsonProperty("Keys") List<KeyListEntry> keys,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListKeysResponse {
    keys = Values.copy(keys);
  }
}
