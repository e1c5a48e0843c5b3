package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Encryption-context constraints of a grant. */
public record GrantConstraints(
    @JsonProperty("EncryptionContextSubset") Map<String, String> encryptionContextSubset,
    @JsonProperty("EncryptionContextEquals") Map<String, String> encryptionContextEquals) {
  public GrantConstraints {
    encryptionContextSubset =
        encryptionContextSubset == null
            ? null
            : Collections.unmodifiableMap(new LinkedHashMap<>(encryptionContextSubset));
    encryptionContextEquals =
        encryptionContextEquals == null
            ? null
            : Collections.unmodifiableMap(new LinkedHashMap<>(encryptionContextEquals));
  }
}
