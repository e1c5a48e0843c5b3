package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DescribeKey. */
public record DescribeKeyResponse(@JsonProperty("KeyMetadata") KeyMetadata keyMetadata) {}
