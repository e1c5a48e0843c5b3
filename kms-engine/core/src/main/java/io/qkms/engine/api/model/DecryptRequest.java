package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Decrypt. */
public record DecryptRequest(
    @JsonProperty("CiphertextBlob") byte @Nullable [] ciphertextBlob,
    @JsonProperty("EncryptionContext") @Nullable Map<String, String> encryptionContext,
    @JsonProperty("GrantTokens") @Nullable List<String> grantTokens,
    @JsonProperty("KeyId") @Nullable String keyId,
    @JsonProperty("EncryptionAlgorithm") @Nullable String encryptionAlgorithm,
    @JsonProperty("DryRun") @Nullable Boolean dryRun) {
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
    return new AutoBuilder_DecryptRequest_Builder();
  }

  /** Builds a {@link DecryptRequest}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder ciphertextBlob(byte[] ciphertextBlob);

    Builder encryptionContext(Map<String, String> encryptionContext);

    Builder grantTokens(List<String> grantTokens);

    Builder keyId(String keyId);

    Builder encryptionAlgorithm(String encryptionAlgorithm);

    Builder dryRun(Boolean dryRun);

    DecryptRequest build();
  }
}
