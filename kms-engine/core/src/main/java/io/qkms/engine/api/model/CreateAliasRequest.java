package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** CreateAlias. */
public record CreateAliasRequest(
    @JsonProperty("AliasName") String aliasName, @JsonProperty("TargetKeyId") String targetKeyId) {}
