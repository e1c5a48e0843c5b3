package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One entry of ListAliases. */
public record AliasListEntry(
    @JsonProperty("AliasName") String aliasName,
    @JsonProperty("AliasArn") String aliasArn,
    @JsonProperty("TargetKeyId") String targetKeyId,
    @JsonProperty("CreationDate") java.time.Instant creationDate,
    @JsonProperty("LastUpdatedDate") java.time.Instant lastUpdatedDate) {}
