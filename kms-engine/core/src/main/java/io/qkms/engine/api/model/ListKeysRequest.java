package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListKeys. */
public record ListKeysRequest(
    @JsonProperty("Limit") Integer limit, @JsonProperty("Marker") String marker) {}
