package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CancelKeyDeletion. */
public record CancelKeyDeletionRequest(@JsonProperty("KeyId") String keyId) {}
