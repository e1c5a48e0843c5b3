package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** UpdateAlias. */
public record UpdateAliasRequest(
    @JsonProperty("AliasName") String aliasName, @JsonProperty("TargetKeyId") String targetKeyId) {}
