package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DeleteAlias. */
public record DeleteAliasRequest(@JsonProperty("AliasName") String aliasName) {}
