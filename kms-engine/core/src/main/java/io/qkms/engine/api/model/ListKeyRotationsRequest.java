package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListKeyRotations. */
public record ListKeyRotationsRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("IncludeKeyMaterial") String includeKeyMaterial,
    @JsonProperty("Limit") Integer limit,
    @JsonProperty("Marker") String marker) {}
