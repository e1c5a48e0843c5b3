package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GenerateDataKey. The caller owns {@code plaintext}. */
public record GenerateDataKeyResponse(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("Plaintext") byte[] plaintext,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("KeyMaterialId") String keyMaterialId) {
  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }
}
