package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RotateKeyOnDemand. */
public record RotateKeyOnDemandResponse(@JsonProperty("KeyId") String keyId) {}
