package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Encrypt. */
public record EncryptRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("Plaintext") byte[] plaintext,
    @JsonProperty("EncryptionContext") Map<String, String> encryptionContext,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("EncryptionAlgorithm") String encryptionAlgorithm,
    @JsonProperty("DryRun") Boolean dryRun) {
  public EncryptRequest {
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

  /** Builds a {@link EncryptRequest}; every field is optional here, the engine validates. */
  public static final class Builder {
    private String keyId;
    private byte[] plaintext;
    private Map<String, String> encryptionContext;
    private List<String> grantTokens;
    private String encryptionAlgorithm;
    private Boolean dryRun;

    private Builder() {}

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder plaintext(byte[] plaintext) {
      this.plaintext = plaintext;
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

    public Builder encryptionAlgorithm(String encryptionAlgorithm) {
      this.encryptionAlgorithm = encryptionAlgorithm;
      return this;
    }

    public Builder dryRun(Boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public EncryptRequest build() {
      return new EncryptRequest(
          keyId, plaintext, encryptionContext, grantTokens, encryptionAlgorithm, dryRun);
    }
  }
}
