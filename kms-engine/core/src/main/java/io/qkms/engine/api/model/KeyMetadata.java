package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/** A key's metadata, as DescribeKey returns it. */
public record KeyMetadata(
    @JsonProperty("AWSAccountId") String awsAccountId,
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("Arn") String arn,
    @JsonProperty("CreationDate") Instant creationDate,
    @JsonProperty("Enabled") Boolean enabled,
    @JsonProperty("Description") String description,
    @JsonProperty("KeyUsage") String keyUsage,
    @JsonProperty("KeyState") String keyState,
    @JsonProperty("DeletionDate") Instant deletionDate,
    @JsonProperty("Origin") String origin,
    @JsonProperty("KeyManager") String keyManager,
    @JsonProperty("CustomerMasterKeySpec") String customerMasterKeySpec,
    @JsonProperty("KeySpec") String keySpec,
    @JsonProperty("EncryptionAlgorithms") List<String> encryptionAlgorithms,
    @JsonProperty("MacAlgorithms") List<String> macAlgorithms,
    @JsonProperty("SigningAlgorithms") List<String> signingAlgorithms,
    @JsonProperty("MultiRegion") Boolean multiRegion,
    @JsonProperty("MultiRegionConfiguration") MultiRegionConfiguration multiRegionConfiguration,
    @JsonProperty("PendingDeletionWindowInDays") Integer pendingDeletionWindowInDays,
    @JsonProperty("CurrentKeyMaterialId") String currentKeyMaterialId) {
  public KeyMetadata {
    encryptionAlgorithms = Values.copy(encryptionAlgorithms);
    macAlgorithms = Values.copy(macAlgorithms);
    signingAlgorithms = Values.copy(signingAlgorithms);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link KeyMetadata}; every field is optional here, the engine validates. */
  public static final class Builder {
    private String awsAccountId;
    private String keyId;
    private String arn;
    private Instant creationDate;
    private Boolean enabled;
    private String description;
    private String keyUsage;
    private String keyState;
    private Instant deletionDate;
    private String origin;
    private String keyManager;
    private String customerMasterKeySpec;
    private String keySpec;
    private List<String> encryptionAlgorithms;
    private List<String> macAlgorithms;
    private List<String> signingAlgorithms;
    private Boolean multiRegion;
    private MultiRegionConfiguration multiRegionConfiguration;
    private Integer pendingDeletionWindowInDays;
    private String currentKeyMaterialId;

    private Builder() {}

    public Builder awsAccountId(String awsAccountId) {
      this.awsAccountId = awsAccountId;
      return this;
    }

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder arn(String arn) {
      this.arn = arn;
      return this;
    }

    public Builder creationDate(Instant creationDate) {
      this.creationDate = creationDate;
      return this;
    }

    public Builder enabled(Boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder keyUsage(String keyUsage) {
      this.keyUsage = keyUsage;
      return this;
    }

    public Builder keyState(String keyState) {
      this.keyState = keyState;
      return this;
    }

    public Builder deletionDate(Instant deletionDate) {
      this.deletionDate = deletionDate;
      return this;
    }

    public Builder origin(String origin) {
      this.origin = origin;
      return this;
    }

    public Builder keyManager(String keyManager) {
      this.keyManager = keyManager;
      return this;
    }

    public Builder customerMasterKeySpec(String customerMasterKeySpec) {
      this.customerMasterKeySpec = customerMasterKeySpec;
      return this;
    }

    public Builder keySpec(String keySpec) {
      this.keySpec = keySpec;
      return this;
    }

    public Builder encryptionAlgorithms(List<String> encryptionAlgorithms) {
      this.encryptionAlgorithms = encryptionAlgorithms;
      return this;
    }

    public Builder macAlgorithms(List<String> macAlgorithms) {
      this.macAlgorithms = macAlgorithms;
      return this;
    }

    public Builder signingAlgorithms(List<String> signingAlgorithms) {
      this.signingAlgorithms = signingAlgorithms;
      return this;
    }

    public Builder multiRegion(Boolean multiRegion) {
      this.multiRegion = multiRegion;
      return this;
    }

    public Builder multiRegionConfiguration(MultiRegionConfiguration multiRegionConfiguration) {
      this.multiRegionConfiguration = multiRegionConfiguration;
      return this;
    }

    public Builder pendingDeletionWindowInDays(Integer pendingDeletionWindowInDays) {
      this.pendingDeletionWindowInDays = pendingDeletionWindowInDays;
      return this;
    }

    public Builder currentKeyMaterialId(String currentKeyMaterialId) {
      this.currentKeyMaterialId = currentKeyMaterialId;
      return this;
    }

    public KeyMetadata build() {
      return new KeyMetadata(
          awsAccountId,
          keyId,
          arn,
          creationDate,
          enabled,
          description,
          keyUsage,
          keyState,
          deletionDate,
          origin,
          keyManager,
          customerMasterKeySpec,
          keySpec,
          encryptionAlgorithms,
          macAlgorithms,
          signingAlgorithms,
          multiRegion,
          multiRegionConfiguration,
          pendingDeletionWindowInDays,
          currentKeyMaterialId);
    }
  }
}
