package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** DescribeKey. */
public record DescribeKeyRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GrantTokens") java.util.List<String> grantTokens) {
  public DescribeKeyRequest {
    grantTokens =
        grantTokens == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(grantTokens));
  }
}
