package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ListGrants. */
public record ListGrantsRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("Limit") Integer limit,
    @JsonProperty("Marker") String marker,
    @JsonProperty("GrantId") String grantId,
    @JsonProperty("GranteePrincipal") String granteePrincipal) {}
