package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A key tag. */
public record Tag(
    @JsonProperty("TagKey") String tagKey, @JsonProperty("TagValue") String tagValue) {}
