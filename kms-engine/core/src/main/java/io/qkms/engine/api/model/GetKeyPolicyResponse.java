package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GetKeyPolicy. */
public record GetKeyPolicyResponse(
    @JsonProperty("Policy") String policy, @JsonProperty("PolicyName") String policyName) {}
