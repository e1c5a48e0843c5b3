package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** GetKeyRotationStatus. */
public record GetKeyRotationStatusResponse(
    @JsonProperty("KeyRotationEnabled") Boolean keyRotationEnabled,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("RotationPeriodInDays") Integer rotationPeriodInDays,
    @JsonProperty("NextRotationDate") Instant nextRotationDate,
    @JsonProperty("OnDemandRotationStartDate") Instant onDemandRotationStartDate) {}
