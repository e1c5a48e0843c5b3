package io.qkms.engine.auth;

import io.qkms.engine.api.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy is evaluated against: the caller, the action ({@code kms:ReEncryptFrom}), the key
 * ARN and the condition keys of the request. Condition key names are case-insensitive, as in IAM;
 * values keep their case.
 */
public final class RequestContext {
  private final Principal principal;
  private final String action;
  private final String resourceArn;
  private final Map<String, List<String>> conditionKeys;

  private RequestContext(Builder b) {
    principal = Objects.requireNonNull(b.principal, "principal");
    action = Objects.requireNonNull(b.action, "action");
    resourceArn = Objects.requireNonNull(b.resourceArn, "resourceArn");
    conditionKeys = Collections.unmodifiableMap(b.keys);
  }

  public static Builder builder(Principal principal, String action, String resourceArn) {
    Builder b = new Builder();
    b.principal = principal;
    b.action = action;
    b.resourceArn = resourceArn;
    b.put("kms:calleraccount", principal.account().value());
    b.put("aws:principalarn", principal.arn());
    b.put("aws:principalaccount", principal.account().value());
    return b;
  }

  public Principal principal() {
    return principal;
  }

  public String action() {
    return action;
  }

  public String resourceArn() {
    return resourceArn;
  }

  /** Values of a condition key (lower-cased name), or null if the request does not carry it. */
  List<String> values(String lowerCaseKey) {
    return conditionKeys.get(lowerCaseKey);
  }

  /** Builds a {@link RequestContext}. */
  public static final class Builder {
    private Principal principal;
    private String action;
    private String resourceArn;
    private final Map<String, List<String>> keys = new HashMap<>();

    private Builder() {}

    private void put(String name, String value) {
      keys.put(name.toLowerCase(Locale.ROOT), List.of(value));
    }

    /** Sets {@code kms:ReEncryptOnSameKey}. */
    public Builder reEncryptOnSameKey(boolean same) {
      put("kms:ReEncryptOnSameKey", Boolean.toString(same));
      return this;
    }

    /** Sets {@code kms:EncryptionAlgorithm}. */
    public Builder encryptionAlgorithm(String algorithm) {
      put("kms:EncryptionAlgorithm", algorithm);
      return this;
    }

    /**
     * Sets {@code kms:EncryptionContext:<key>} for each entry and {@code kms:EncryptionContextKeys}
     * (absent when the context is empty, as in AWS).
     */
    public Builder encryptionContext(Map<String, String> context) {
      if (context == null || context.isEmpty()) {
        return this;
      }
      for (Map.Entry<String, String> e : context.entrySet()) {
        put("kms:EncryptionContext:" + e.getKey(), e.getValue());
      }
      keys.put("kms:encryptioncontextkeys", List.copyOf(context.keySet()));
      return this;
    }

    /** Sets {@code kms:GrantOperations} (CreateGrant). */
    public Builder grantOperations(List<String> operations) {
      if (operations != null && !operations.isEmpty()) {
        keys.put("kms:grantoperations", List.copyOf(operations));
      }
      return this;
    }

    /** Sets {@code kms:GranteePrincipal} (CreateGrant). */
    public Builder granteePrincipal(String grantee) {
      put("kms:GranteePrincipal", grantee);
      return this;
    }

    /** Sets {@code kms:GrantIsForAWSResource}, which is always false in QKMS. */
    public RequestContext build() {
      put("kms:GrantIsForAWSResource", "false");
      return new RequestContext(this);
    }
  }
}
