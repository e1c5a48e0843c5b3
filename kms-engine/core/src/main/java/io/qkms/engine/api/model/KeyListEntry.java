package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of ListKeys. */
public record KeyListEntry(
    @JsonProperty("KeyId") String keyId, @JsonProperty("KeyArn") String keyArn) {}
