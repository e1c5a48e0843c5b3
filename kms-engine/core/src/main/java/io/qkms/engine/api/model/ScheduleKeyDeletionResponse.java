package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** ScheduleKeyDeletion. */
public record ScheduleKeyDeletionResponse(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("DeletionDate") Instant deletionDate,
    @JsonProperty("KeyState") String keyState,
    @JsonProperty("PendingWindowInDays") Integer pendingWindowInDays) {}
