package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GetKeyRotationStatus. */
public record GetKeyRotationStatusRequest(@JsonProperty("KeyId") String keyId) {}
