package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** Encryption-context constraints of a grant. */
public record GrantConstraints(
    @JsonProperty("EncryptionContextSubset") Map<String, String> encryptionContextSubset,
    @JsonProperty("EncryptionContextEquals") Map<String, String> encryptionContextEquals) {
  public GrantConstraints {
    encryptionContextSubset = Values.copy(encryptionContextSubset);
    encryptionContextEquals = Values.copy(encryptionContextEquals);
  }
}
