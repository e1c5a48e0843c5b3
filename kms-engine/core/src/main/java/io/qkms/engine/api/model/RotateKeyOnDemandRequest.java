package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** RotateKeyOnDemand. */
public record RotateKeyOnDemandRequest(@JsonProperty("KeyId") String keyId) {}
