package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** CreateGrant. */
public record CreateGrantRequest(
    @JsonProperty("KeyId") String keyId,
    @JsonProperty("GranteePrincipal") String granteePrincipal,
    @JsonProperty("RetiringPrincipal") String retiringPrincipal,
    @JsonProperty("Operations") List<String> operations,
    @JsonProperty("Constraints") GrantConstraints constraints,
    @JsonProperty("GrantTokens") List<String> grantTokens,
    @JsonProperty("Name") String name,
    @JsonProperty("DryRun") Boolean dryRun) {
  public CreateGrantRequest {
    operations = Values.copy(operations);
    grantTokens = Values.copy(grantTokens);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link CreateGrantRequest}; every field is optional here, the engine validates. */
  public static final class Builder {
    private String keyId;
    private String granteePrincipal;
    private String retiringPrincipal;
    private List<String> operations;
    private GrantConstraints constraints;
    private List<String> grantTokens;
    private String name;
    private Boolean dryRun;

    private Builder() {}

    public Builder keyId(String keyId) {
      this.keyId = keyId;
      return this;
    }

    public Builder granteePrincipal(String granteePrincipal) {
      this.granteePrincipal = granteePrincipal;
      return this;
    }

    public Builder retiringPrincipal(String retiringPrincipal) {
      this.retiringPrincipal = retiringPrincipal;
      return this;
    }

    public Builder operations(List<String> operations) {
      this.operations = operations;
      return this;
    }

    public Builder constraints(GrantConstraints constraints) {
      this.constraints = constraints;
      return this;
    }

    public Builder grantTokens(List<String> grantTokens) {
      this.grantTokens = grantTokens;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder dryRun(Boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public CreateGrantRequest build() {
      return new CreateGrantRequest(
          keyId,
          granteePrincipal,
          retiringPrincipal,
          operations,
          constraints,
          grantTokens,
          name,
          dryRun);
    }
  }
}
