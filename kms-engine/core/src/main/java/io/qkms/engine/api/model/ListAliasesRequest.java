package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListAliases. */
public record ListAliasesRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("Limit") Integer limit,
    @JsonProperty("Marker") String marker) {}
