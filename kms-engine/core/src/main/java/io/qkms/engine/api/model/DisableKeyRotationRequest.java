package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DisableKeyRotation. */
public record DisableKeyRotationRequest(@JsonProperty("KeyId") String keyId) {}
