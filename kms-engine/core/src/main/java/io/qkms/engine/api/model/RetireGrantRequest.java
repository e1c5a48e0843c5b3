package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RetireGrant. */
public record RetireGrantRequest(
    @JsonProperty("GrantToken") String grantToken,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GrantId") String grantId,
    @JsonProperty("DryRun") Boolean dryRun) {}
