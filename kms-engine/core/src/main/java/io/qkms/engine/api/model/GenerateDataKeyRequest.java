package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** GenerateDataKey. */
public record GenerateDataKeyRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("EncryptionContext") Map<String, String> encryptionContext,
    @JsonProperty("NumberOfBytes") Integer numberOfBytes,
    @JsonProperty("KeySpec") String keySpec,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("DryRun") Boolean dryRun) {
  public GenerateDataKeyRequest {
    encryptionContext = Values.copy(encryptionContext);
    grantTokens = Values.copy(grantTokens);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link GenerateDataKeyRequest}; every field is optional here, the engine validates.
   */
  public static final class Builder {
    private String keyId;
    private Map<String, String> encryptionContext;
    private Integer numberOfBytes;
    private String keySpec;
    private List<String> grantTokens;
    private Boolean dryRun;

    private Builder() {}

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = encryptionContext;
      return this;
    }

    public Builder numberOfBytes(Integer numberOfBytes) {
      this.numberOfBytes = numberOfBytes;
      return this;
    }

    public Builder keySpec(String keySpec) {
      this.keySpec = keySpec;
      return this;
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = grantTokens;
      return this;
    }

    public Builder dryRun(Boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public GenerateDataKeyRequest build() {
      return new GenerateDataKeyRequest(
          keyId, encryptionContext, numberOfBytes, keySpec, grantTokens, dryRun);
    }
  }
}
