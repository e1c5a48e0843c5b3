package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GetKeyRotationStatus. */
public record GetKeyRotationStatusResponse(
    @JsonProperty("KeyRotationEnabled") Boolean keyRotationEnabled,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("RotationPeriodInDays") Integer rotationPeriodInDays,
    @JsonProperty("NextRotationDate") java.time.Instant nextRotationDate,
    @JsonProperty("OnDemandRotationStartDate") java.time.Instant onDemandRotationStartDate) {}
