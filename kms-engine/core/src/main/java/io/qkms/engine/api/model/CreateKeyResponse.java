package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CreateKey. */
public record CreateKeyResponse(@JsonProperty("KeyMetadata") KeyMetadata keyMetadata) {}
