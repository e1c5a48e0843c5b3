package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** ReEncrypt, with the fields of the QKMS API page. */
public record ReEncryptRequest(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("SourceEncryptionContext") Map<String, String> sourceEncryptionContext,
    @JsonProperty("SourceKeyId") String sourceKeyId,
    @JsonProperty("DestinationKeyId") String destinationKeyId,
    @JsonProperty("DestinationEncryptionContext") Map<String, String> destinationEncryptionContext,
    @JsonProperty("SourceEncryptionAlgorithm") String sourceEncryptionAlgorithm,
    @JsonProperty("DestinationEncryptionAlgorithm") String destinationEncryptionAlgorithm,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("DryRun") Boolean dryRun,
    @JsonProperty("DryRunModifiers") List<String> dryRunModifiers) {
  public ReEncryptRequest {
    sourceEncryptionContext = Values.copy(sourceEncryptionContext);
    destinationEncryptionContext = Values.copy(destinationEncryptionContext);
    grantTokens = Values.copy(grantTokens);
    dryRunModifiers = Values.copy(dryRunModifiers);
  }

  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ReEncryptRequest}; every field is optional here, the engine validates. */
  public static final class Builder {
    private byte[] ciphertextBlob;
    private Map<String, String> sourceEncryptionContext;
    private String sourceKeyId;
    private String destinationKeyId;
    private Map<String, String> destinationEncryptionContext;
    private String sourceEncryptionAlgorithm;
    private String destinationEncryptionAlgorithm;
    private List<String> grantTokens;
    private Boolean dryRun;
    private List<String> dryRunModifiers;

    private Builder() {}

    public Builder ciphertextBlob(byte[] ciphertextBlob) {
      this.ciphertextBlob = ciphertextBlob;
      return this;
    }

    public Builder sourceEncryptionContext(Map<String, String> sourceEncryptionContext) {
      this.sourceEncryptionContext = sourceEncryptionContext;
      return this;
    }

    public Builder sourceKeyId(String sourceKeyId) {
      this.sourceKeyId = sourceKeyId;
      return this;
    }

    public Builder destinationKeyId(String destinationKeyId) {
      this.destinationKeyId = destinationKeyId;
      return this;
    }

    public Builder destinationEncryptionContext(Map<String, String> destinationEncryptionContext) {
      this.destinationEncryptionContext = destinationEncryptionContext;
      return this;
    }

    public Builder sourceEncryptionAlgorithm(String sourceEncryptionAlgorithm) {
      this.sourceEncryptionAlgorithm = sourceEncryptionAlgorithm;
      return this;
    }

    public Builder destinationEncryptionAlgorithm(String destinationEncryptionAlgorithm) {
      this.destinationEncryptionAlgorithm = destinationEncryptionAlgorithm;
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

    public Builder dryRunModifiers(List<String> dryRunModifiers) {
      this.dryRunModifiers = dryRunModifiers;
      return this;
    }

    public ReEncryptRequest build() {
      return new ReEncryptRequest(
          ciphertextBlob,
          sourceEncryptionContext,
          sourceKeyId,
          destinationKeyId,
          destinationEncryptionContext,
          sourceEncryptionAlgorithm,
          destinationEncryptionAlgorithm,
          grantTokens,
          dryRun,
          dryRunModifiers);
    }
  }
}
