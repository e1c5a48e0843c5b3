package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** EnableKey. */
public record EnableKeyRequest(@JsonProperty("KeyId") String keyId) {}
