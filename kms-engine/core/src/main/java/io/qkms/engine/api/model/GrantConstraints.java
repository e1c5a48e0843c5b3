package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Encryption-context constraints of a grant. */
public record GrantConstraints(
    @JsonProperty("EncryptionContextSubset") java.util.Map<String, String> encryptionContextSubset,
    @JsonProperty("EncryptionContextEquals")
        java.util.Map<String, String> encryptionContextEquals) {
  public GrantConstraints {
    encryptionContextSubset =
        encryptionContextSubset == null
            ? null
            : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(encryptionContextSubset));
    encryptionContextEquals =
        encryptionContextEquals == null
            ? null
            : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(encryptionContextEquals));
  }
}
