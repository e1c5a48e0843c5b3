package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ScheduleKeyDeletion. */
public record ScheduleKeyDeletionRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("PendingWindowInDays") Integer pendingWindowInDays) {}
