package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DisableKey. */
public record DisableKeyRequest(@JsonProperty("KeyId") String keyId) {}
