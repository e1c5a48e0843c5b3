package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Decrypt. */
public record DecryptRequest(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("EncryptionContext") Map<String, String> encryptionContext,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("EncryptionAlgorithm") String encryptionAlgorithm,
    @JsonProperty("DryRun") Boolean dryRun) {
  public DecryptRequest {
    encryptionContext = Values.copy(encryptionContext);
    grantTokens = Values.copy(grantTokens);
  }

  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link DecryptRequest}; every field is optional here, the engine validates. */
  public static final class Builder {
    private byte[] ciphertextBlob;
    private Map<String, String> encryptionContext;
    private List<String> grantTokens;
    private String keyId;
    private String encryptionAlgorithm;
    private Boolean dryRun;

    private Builder() {}

    public Builder ciphertextBlob(byte[] ciphertextBlob) {
      this.ciphertextBlob = ciphertextBlob;
      return this;
    }

    public Builder encryptionContext(Map<String, String> encryptionContext) {
      this.encryptionContext = encryptionContext;
      return this;
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = grantTokens;
      return this;
    }

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder encryptionAlgorithm(String encryptionAlgorithm) {
      this.encryptionAlgorithm = encryptionAlgorithm;
      return this;
    }

    public Builder dryRun(Boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public DecryptRequest build() {
      return new DecryptRequest(
          ciphertextBlob, encryptionContext, grantTokens, keyId, encryptionAlgorithm, dryRun);
    }
  }
}
