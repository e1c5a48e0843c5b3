package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Encrypt. */
public record EncryptRequest(
    @JsonProperty("KeyId") @Nullable String keyId,
    @JsonProperty("Plaintext") byte @Nullable [] plaintext,
    @JsonProperty("EncryptionContext") @Nullable Map<String, String> encryptionContext,
    @JsonProperty("GrantTokens") @Nullable List<String> grantTokens,
    @JsonProperty("EncryptionAlgorithm") @Nullable String encryptionAlgorithm,
    @JsonProperty("DryRun") @Nullable Boolean dryRun) {
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
    return new AutoBuilder_EncryptRequest_Builder();
  }

  /** Builds a {@link EncryptRequest}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder keyId(String keyId);

    Builder plaintext(byte[] plaintext);

    Builder encryptionContext(Map<String, String> encryptionContext);

    Builder grantTokens(List<String> grantTokens);

    Builder encryptionAlgorithm(String encryptionAlgorithm);

    Builder dryRun(Boolean dryRun);

    EncryptRequest build();
  }
}
