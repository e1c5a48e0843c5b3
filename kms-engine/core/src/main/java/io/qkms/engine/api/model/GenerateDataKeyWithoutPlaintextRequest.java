package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** GenerateDataKeyWithoutPlaintext. */
public record GenerateDataKeyWithoutPlaintextRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("EncryptionContext") Map<String, String> encryptionContext,
    @JsonProperty("NumberOfBytes") Integer numberOfBytes,
    @JsonProperty("KeySpec") String keySpec,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("DryRun") Boolean dryRun) {
  public GenerateDataKeyWithoutPlaintextRequest {
    encryptionContext = Values.copy(encryptionContext);
    grantTokens = Values.copy(grantTokens);
  }
}
