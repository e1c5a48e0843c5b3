package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** CreateKey. */
public record CreateKeyRequest(
    @JsonProperty("Policy") @Nullable String policy,
    @JsonProperty("Description") @Nullable String description,
    @JsonProperty("KeyUsage") @Nullable String keyUsage,
    @JsonProperty("KeySpec") @Nullable String keySpec,
    @JsonProperty("CustomerMasterKeySpec") @Nullable String customerMasterKeySpec,
    @JsonProperty("Origin") @Nullable String origin,
    @JsonProperty("MultiRegion") @Nullable Boolean multiRegion,
    @JsonProperty("BypassPolicyLockoutSafetyCheck")
        @Nullable Boolean bypassPolicyLockoutSafetyCheck,
    @JsonProperty("Tags") @Nullable List<Tag> tags) {
  public CreateKeyRequest {
    tags = Values.copy(tags);
  }

  public static Builder builder() {
    return new AutoBuilder_CreateKeyRequest_Builder();
  }

  /** Builds a {@link CreateKeyRequest}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder policy(String policy);

    Builder description(String description);

    Builder keyUsage(String keyUsage);

    Builder keySpec(String keySpec);

    Builder customerMasterKeySpec(String customerMasterKeySpec);

    Builder origin(String origin);

    Builder multiRegion(Boolean multiRegion);

    Builder bypassPolicyLockoutSafetyCheck(Boolean bypassPolicyLockoutSafetyCheck);

    Builder tags(List<Tag> tags);

    CreateKeyRequest build();
  }
}
