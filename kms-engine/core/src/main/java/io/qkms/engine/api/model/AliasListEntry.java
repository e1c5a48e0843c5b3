package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** One entry of ListAliases. */
public record AliasListEntry(
    @JsonProperty("AliasName") String aliasName,
    @JsonProperty("AliasArn") String aliasArn,
    @JsonProperty("TargetKeyId") String targetKeyId,
    @JsonProperty("CreationDate") Instant creationDate,
    @JsonProperty("LastUpdatedDate") Instant lastUpdatedDate) {}
