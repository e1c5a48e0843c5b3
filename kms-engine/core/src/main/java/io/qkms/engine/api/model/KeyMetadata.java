package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A key's metadata, as DescribeKey returns it. */
public record KeyMetadata(
    @JsonProperty("AWSAccountId") @Nullable String awsAccountId,
    @JsonProperty("KeyId") @Nullable String keyId,
    @JsonProperty("Arn") @Nullable String arn,
    @JsonProperty("CreationDate") @Nullable Instant creationDate,
    @JsonProperty("Enabled") @Nullable Boolean enabled,
    @JsonProperty("Description") @Nullable String description,
    @JsonProperty("KeyUsage") @Nullable String keyUsage,
    @JsonProperty("KeyState") @Nullable String keyState,
    @JsonProperty("DeletionDate") @Nullable Instant deletionDate,
    @JsonProperty("Origin") @Nullable String origin,
    @JsonProperty("KeyManager") @Nullable String keyManager,
    @JsonProperty("CustomerMasterKeySpec") @Nullable String customerMasterKeySpec,
    @JsonProperty("KeySpec") @Nullable String keySpec,
    @JsonProperty("EncryptionAlgorithms") @Nullable List<String> encryptionAlgorithms,
    @JsonProperty("MacAlgorithms") @Nullable List<String> macAlgorithms,
    @JsonProperty("SigningAlgorithms") @Nullable List<String> signingAlgorithms,
    @JsonProperty("MultiRegion") @Nullable Boolean multiRegion,
    @JsonProperty("MultiRegionConfiguration")
        @Nullable MultiRegionConfiguration multiRegionConfiguration,
    @JsonProperty("PendingDeletionWindowInDays") @Nullable Integer pendingDeletionWindowInDays,
    @JsonProperty("CurrentKeyMaterialId") @Nullable String currentKeyMaterialId) {
  public KeyMetadata {
    encryptionAlgorithms = Values.copy(encryptionAlgorithms);
    macAlgorithms = Values.copy(macAlgorithms);
    signingAlgorithms = Values.copy(signingAlgorithms);
  }

  public static Builder builder() {
    return new AutoBuilder_KeyMetadata_Builder();
  }

  /** Builds a {@link KeyMetadata}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder awsAccountId(String awsAccountId);

    Builder keyId(String keyId);

    Builder arn(String arn);

    Builder creationDate(Instant creationDate);

    Builder enabled(Boolean enabled);

    Builder description(String description);

    Builder keyUsage(String keyUsage);

    Builder keyState(String keyState);

    Builder deletionDate(Instant deletionDate);

    Builder origin(String origin);

    Builder keyManager(String keyManager);

    Builder customerMasterKeySpec(String customerMasterKeySpec);

    Builder keySpec(String keySpec);

    Builder encryptionAlgorithms(List<String> encryptionAlgorithms);

    Builder macAlgorithms(List<String> macAlgorithms);

    Builder signingAlgorithms(List<String> signingAlgorithms);

    Builder multiRegion(Boolean multiRegion);

    Builder multiRegionConfiguration(MultiRegionConfiguration multiRegionConfiguration);

    Builder pendingDeletionWindowInDays(Integer pendingDeletionWindowInDays);

    Builder currentKeyMaterialId(String currentKeyMaterialId);

    KeyMetadata build();
  }
}
