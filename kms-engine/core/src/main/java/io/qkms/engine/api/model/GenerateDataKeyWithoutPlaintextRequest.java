package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GenerateDataKeyWithoutPlaintext. */
public record GenerateDataKeyWithoutPlaintextRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("EncryptionContext") java.util.Map<String, String> encryptionContext,
    @JsonProperty("NumberOfBytes") Integer numberOfBytes,
    @JsonProperty("KeySpec") String keySpec,
    @JsonProperty("GrantTokens") java.util.List<String> grantTokens,
    @JsonProperty("DryRun") Boolean dryRun) {
  public GenerateDataKeyWithoutPlaintextRequest {
    encryptionContext =
        encryptionContext == null
            ? null
            : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(encryptionContext));
    grantTokens =
        grantTokens == null
            ? null
            : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(grantTokens));
  }
}
