package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CreateGrant. */
public record CreateGrantResponse(
    @JsonProperty("GrantToken") String grantToken, @JsonProperty("GrantId") String grantId) {}
