package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RevokeGrant. */
public record RevokeGrantRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GrantId") String grantId,
    @JsonProperty("DryRun") Boolean dryRun) {}
