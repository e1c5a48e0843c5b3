package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GetKeyPolicy. */
public record GetKeyPolicyRequest(
    @JsonProperty("KeyId") String keyId, @JsonProperty("PolicyName") String policyName) {}
