package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** GenerateDataKey. */
public record GenerateDataKeyRequest(
    @JsonProperty("KeyId") @Nullable String keyId,
    @JsonProperty("EncryptionContext") @Nullable Map<String, String> encryptionContext,
    @JsonProperty("NumberOfBytes") @Nullable Integer numberOfBytes,
    @JsonProperty("KeySpec") @Nullable String keySpec,
    @JsonProperty("GrantTokens") @Nullable List<String> grantTokens,
    @JsonProperty("DryRun") @Nullable Boolean dryRun) {
  public GenerateDataKeyRequest {
    encryptionContext = Values.copy(encryptionContext);
    grantTokens = Values.copy(grantTokens);
  }

  public static Builder builder() {
    return new AutoBuilder_GenerateDataKeyRequest_Builder();
  }

  /**
   * Builds a {@link GenerateDataKeyRequest}; every field is optional here, the engine validates.
   */
  @AutoBuilder
  public interface Builder {
    Builder keyId(String keyId);

    Builder encryptionContext(Map<String, String> encryptionContext);

    Builder numberOfBytes(Integer numberOfBytes);

    Builder keySpec(String keySpec);

    Builder grantTokens(List<String> grantTokens);

    Builder dryRun(Boolean dryRun);

    GenerateDataKeyRequest build();
  }
}
