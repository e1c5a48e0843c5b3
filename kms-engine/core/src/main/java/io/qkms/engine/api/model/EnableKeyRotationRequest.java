package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** EnableKeyRotation. */
public record EnableKeyRotationRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("RotationPeriodInDays") Integer rotationPeriodInDays) {}
