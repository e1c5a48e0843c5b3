package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** DescribeKey. */
public record DescribeKeyRequest(
    @JsonProperty("KeyId") String keyId, @JsonProperty("GrantTokens") List<String> grantTokens) {
  public DescribeKeyRequest {
    grantTokens = Values.copy(grantTokens);
  }
}
