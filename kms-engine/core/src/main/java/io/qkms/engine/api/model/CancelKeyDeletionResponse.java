package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CancelKeyDeletion. */
public record CancelKeyDeletionResponse(@JsonProperty("KeyId") String keyId) {}
