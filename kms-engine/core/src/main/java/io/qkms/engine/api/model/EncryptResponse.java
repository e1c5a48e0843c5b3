package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Encrypt. */
public record EncryptResponse(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("EncryptionAlgorithm") String encryptionAlgorithm) {
  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }
}
