package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ScheduleKeyDeletion. */
public record ScheduleKeyDeletionResponse(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("DeletionDate") java.time.Instant deletionDate,
    @JsonProperty("KeyState") String keyState,
    @JsonProperty("PendingWindowInDays") Integer pendingWindowInDays) {}
