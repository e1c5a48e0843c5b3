package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** PutKeyPolicy. */
public record PutKeyPolicyRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("PolicyName") String policyName,
    @JsonProperty("Policy") String policy,
    @JsonProperty("BypassPolicyLockoutSafetyCheck") Boolean bypassPolicyLockoutSafetyCheck) {}
