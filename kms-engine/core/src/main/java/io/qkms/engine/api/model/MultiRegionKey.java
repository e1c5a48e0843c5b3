package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A key ARN and its region, in a multi-region configuration. */
public record MultiRegionKey(
    @JsonProperty("Arn") String arn, @JsonProperty("Region") String region) {}
