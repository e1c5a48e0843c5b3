package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** CreateKey. */
public record CreateKeyRequest(
    @JsonProperty("Policy") String policy,
    @JsonProperty("Description") String description,
    @JsonProperty("KeyUsage") String keyUsage,
    @JsonProperty("KeySpec") String keySpec,
    @JsonProperty("CustomerMasterKeySpec") String customerMasterKeySpec,
    @JsonProperty("Origin") String origin,
    @JsonProperty("MultiRegion") Boolean multiRegion,
    @JsonProperty("BypassPolicyLockoutSafetyCheck") Boolean bypassPolicyLockoutSafetyCheck,
    @JsonProperty("Tags") List<Tag> tags) {
  public CreateKeyRequest {
    tags = Values.copy(tags);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link CreateKeyRequest}; every field is optional here, the engine validates. */
  public static final class Builder {
    private String policy;
    private String description;
    private String keyUsage;
    private String keySpec;
    private String customerMasterKeySpec;
    private String origin;
    private Boolean multiRegion;
    private Boolean bypassPolicyLockoutSafetyCheck;
    private List<Tag> tags;

    private Builder() {}

    public Builder policy(String policy) {
      this.policy = policy;
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

    public Builder keySpec(String keySpec) {
      this.keySpec = keySpec;
      return this;
    }

    public Builder customerMasterKeySpec(String customerMasterKeySpec) {
      this.customerMasterKeySpec = customerMasterKeySpec;
      return this;
    }

    public Builder origin(String origin) {
      this.origin = origin;
      return this;
    }

    public Builder multiRegion(Boolean multiRegion) {
      this.multiRegion = multiRegion;
      return this;
    }

    public Builder bypassPolicyLockoutSafetyCheck(Boolean bypassPolicyLockoutSafetyCheck) {
      this.bypassPolicyLockoutSafetyCheck = bypassPolicyLockoutSafetyCheck;
      return this;
    }

    public Builder tags(List<Tag> tags) {
      this.tags = tags;
      return this;
    }

    public CreateKeyRequest build() {
      return new CreateKeyRequest(
          policy,
          description,
          keyUsage,
          keySpec,
          customerMasterKeySpec,
          origin,
          multiRegion,
          bypassPolicyLockoutSafetyCheck,
          tags);
    }
  }
}
