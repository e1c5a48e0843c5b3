package io.qkms.engine.api.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.auto.value.AutoBuilder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** CreateGrant. */
public record CreateGrantRequest(
    @JsonProperty("KeyId") @Nullable String keyId,
    @JsonProperty("GranteePrincipal") @Nullable String granteePrincipal,
    @JsonProperty("RetiringPrincipal") @Nullable String retiringPrincipal,
    @JsonProperty("Operations") @Nullable List<String> operations,
    @JsonProperty("Constraints") @Nullable GrantConstraints constraints,
    @JsonProperty("GrantTokens") @Nullable List<String> grantTokens,
    @JsonProperty("Name") @Nullable String name,
    @JsonProperty("DryRun") @Nullable Boolean dryRun) {
  public CreateGrantRequest {
    operations = Values.copy(operations);
    grantTokens = Values.copy(grantTokens);
  }

  public static Builder builder() {
    return new AutoBuilder_CreateGrantRequest_Builder();
  }

  /** Builds a {@link CreateGrantRequest}; every field is optional here, the engine validates. */
  @AutoBuilder
  public interface Builder {
    Builder keyId(String keyId);

    Builder granteePrincipal(String granteePrincipal);

    Builder retiringPrincipal(String retiringPrincipal);

    Builder operations(List<String> operations);

    Builder constraints(GrantConstraints constraints);

    Builder grantTokens(List<String> grantTokens);

    Builder name(String name);

    Builder dryRun(Boolean dryRun);

    CreateGrantRequest build();
  }
}
