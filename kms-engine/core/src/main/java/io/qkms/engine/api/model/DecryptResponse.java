package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Decrypt. The caller owns {@code plaintext}. */
public record DecryptResponse(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("Plaintext") byte[] plaintext,
    @JsonProperty("EncryptionAlgorithm") String encryptionAlgorithm,
    @JsonProperty("KeyMaterialId") String keyMaterialId) {
  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }
}
