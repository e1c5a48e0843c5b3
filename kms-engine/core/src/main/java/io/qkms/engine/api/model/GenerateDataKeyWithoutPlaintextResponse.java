package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** GenerateDataKeyWithoutPlaintext. */
public record GenerateDataKeyWithoutPlaintextResponse(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("KeyMaterialId") String keyMaterialId) {
  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }
}
