package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
    encryptionContext =
        encryptionContext == null
            ? null
            : Collections.unmodifiableMap(new LinkedHashMap<>(encryptionContext));
    grantTokens =
        grantTokens == null ? null : Collections.unmodifiableList(new ArrayList<>(grantTokens));
  }
}
