package io.qkms.engine.internal.auth;

import io.qkms.engine.api.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a policy is evaluated against: the caller, the action ({@code kms:ReEncryptFrom}), the key
 * ARN and the condition keys of the request. Condition key names are case-insensitive, as in IAM;
 * values keep their case. Condition keys are computed only when a statement's Condition asks for
 * one, so the common policies without conditions cost no allocation beyond this object.
 */
public final class RequestContext {
  private static final String CONTEXT_KEY_PREFIX = "kms:encryptioncontext:";

  private final Principal principal;
  private final String action;
  private final String resourceArn;
  private final Map<String, String> encryptionContext;
  private final Boolean reEncryptOnSameKey;
  private final String encryptionAlgorithm;
  private final List<String> grantOperations;
  private final String granteePrincipal;

  private RequestContext(Builder b) {
    principal = Objects.requireNonNull(b.principal, "principal");
    action = Objects.requireNonNull(b.action, "action");
    resourceArn = Objects.requireNonNull(b.resourceArn, "resourceArn");
    encryptionContext = b.encryptionContext;
    reEncryptOnSameKey = b.reEncryptOnSameKey;
    encryptionAlgorithm = b.encryptionAlgorithm;
    grantOperations = b.grantOperations;
    granteePrincipal = b.granteePrincipal;
  }

  public static Builder builder(Principal principal, String action, String resourceArn) {
    Builder b = new Builder();
    b.principal = principal;
    b.action = action;
    b.resourceArn = resourceArn;
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
    switch (lowerCaseKey) {
      case "kms:calleraccount":
      case "aws:principalaccount":
        return List.of(principal.account().value());
      case "aws:principalarn":
        return List.of(principal.arn());
      case "kms:reencryptonsamekey":
        return reEncryptOnSameKey == null ? null : List.of(reEncryptOnSameKey.toString());
      case "kms:encryptionalgorithm":
        return encryptionAlgorithm == null ? null : List.of(encryptionAlgorithm);
      case "kms:encryptioncontextkeys":
        return hasContext() ? List.copyOf(encryptionContext.keySet()) : null;
      case "kms:grantoperations":
        return grantOperations;
      case "kms:granteeprincipal":
        return granteePrincipal == null ? null : List.of(granteePrincipal);
      case "kms:grantisforawsresource":
        return List.of("false");
      default:
        if (lowerCaseKey.startsWith(CONTEXT_KEY_PREFIX) && hasContext()) {
          // The key name inside the condition key is case-insensitive like the rest of it.
          String name = lowerCaseKey.substring(CONTEXT_KEY_PREFIX.length());
          List<String> found = new ArrayList<>(1);
          for (Map.Entry<String, String> e : encryptionContext.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
              found.add(e.getValue());
            }
          }
          return found.isEmpty() ? null : found;
        }
        return null;
    }
  }

  private boolean hasContext() {
    return encryptionContext != null && !encryptionContext.isEmpty();
  }

  /** Builds a {@link RequestContext}. */
  public static final class Builder {
    private Principal principal;
    private String action;
    private String resourceArn;
    private Map<String, String> encryptionContext;
    private Boolean reEncryptOnSameKey;
    private String encryptionAlgorithm;
    private List<String> grantOperations;
    private String granteePrincipal;

    private Builder() {}

    /** Sets {@code kms:ReEncryptOnSameKey}. */
    public Builder reEncryptOnSameKey(boolean same) {
      reEncryptOnSameKey = same;
      return this;
    }

    /** Sets {@code kms:EncryptionAlgorithm}. */
    public Builder encryptionAlgorithm(String algorithm) {
      encryptionAlgorithm = algorithm;
      return this;
    }

    /**
     * Sets {@code kms:EncryptionContext:<key>} for each entry and {@code kms:EncryptionContextKeys}
     * (absent when the context is empty, as in AWS). The map must not change afterwards.
     */
    public Builder encryptionContext(Map<String, String> context) {
      encryptionContext = context;
      return this;
    }

    /** Sets {@code kms:GrantOperationNames} (CreateGrant). */
    public Builder grantOperations(List<String> operations) {
      grantOperations = operations == null || operations.isEmpty() ? null : List.copyOf(operations);
      return this;
    }

    /** Sets {@code kms:GranteePrincipal} (CreateGrant). */
    public Builder granteePrincipal(String grantee) {
      granteePrincipal = grantee;
      return this;
    }

    /** The context; {@code kms:GrantIsForAWSResource} is always false in QKMS. */
    public RequestContext build() {
      return new RequestContext(this);
    }
  }
}
