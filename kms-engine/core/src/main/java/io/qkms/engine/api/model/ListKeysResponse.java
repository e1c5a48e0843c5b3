package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListKeys. */
public record ListKeysResponse(
    @JsonProperty("Keys") java.util.List<KeyListEntry> keys,
    @JsonProperty("NextMarker") String nextMarker,
    @JsonProperty("Truncated") Boolean truncated) {
  public ListKeysResponse {
    keys =
        keys == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(keys));
  }
}
