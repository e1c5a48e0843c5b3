package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** One entry of ListKeyRotations. */
public record RotationsListEntry(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("KeyMaterialId") String keyMaterialId,
    @JsonProperty("KeyMaterialState") String keyMaterialState,
    @JsonProperty("RotationDate") Instant rotationDate,
    @JsonProperty("RotationType") String rotationType) {}
