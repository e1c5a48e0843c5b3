package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ReEncrypt. Both key IDs are key ARNs. */
public record ReEncryptResponse(
    @JsonProperty("CiphertextBlob") byte[] ciphertextBlob,
    @JsonProperty("SourceKeyId") String sourceKeyId,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("SourceEncryptionAlgorithm") String sourceEncryptionAlgorithm,
    @JsonProperty("DestinationEncryptionAlgorithm") String destinationEncryptionAlgorithm,
    @JsonProperty("SourceKeyMaterialId") String sourceKeyMaterialId,
    @JsonProperty("DestinationKeyMaterialId") String destinationKeyMaterialId) {
  /** Blobs are shown only by length: they may be plaintext or key material. */
  @Override
  public String toString() {
    return Values.describe(this);
  }
}
