package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** ReEncrypt, with the fields of the QKMS API page. */
public record ReEncryptRequest(
    @JsonProperty("CiphertextBlob") byte @Nullable [] ciphertextBlob,
    @JsonProperty("SourceEncryptionContext") @Nullable Map<String, String> sourceEncryptionContext,
    @JsonProperty("SourceKeyId") @Nullable String sourceKeyId,
    @JsonProperty("DestinationKeyId") @Nullable String destinationKeyId,
    @JsonProperty("DestinationEncryptionContext")
        @Nullable Map<String, String> destinationEncryptionContext,
    @JsonProperty("SourceEncryptionAlgorithm") @Nullable String sourceEncryptionAlgorithm,
    @JsonProperty("DestinationEncryptionAlgorithm") @Nullable String destinationEncryptionAlgorithm,
    @JsonProperty("GrantTokens") @Nullable List<String> grantTokens,
    @JsonProperty("DryRun") @Nullable Boolean dryRun,
    @JsonProperty("DryRunModifiers") @Nullable List<String> dryRunModifiers) {
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
    return new AutoBuilder_ReEncryptRequest_Builder();
  }

  /** Builds a {@link ReEncryptRequest}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder ciphertextBlob(byte[] ciphertextBlob);

    Builder sourceEncryptionContext(Map<String, String> sourceEncryptionContext);

    Builder sourceKeyId(String sourceKeyId);

    Builder destinationKeyId(String destinationKeyId);

    Builder destinationEncryptionContext(Map<String, String> destinationEncryptionContext);

    Builder sourceEncryptionAlgorithm(String sourceEncryptionAlgorithm);

    Builder destinationEncryptionAlgorithm(String destinationEncryptionAlgorithm);

    Builder grantTokens(List<String> grantTokens);

    Builder dryRun(Boolean dryRun);

    Builder dryRunModifiers(List<String> dryRunModifiers);

    ReEncryptRequest build();
  }
}
