package io.qkms.engine.internal.auth;

import io.qkms.engine.api.Principal;
import io.qkms.engine.internal.store.GrantRecord;
import java.util.List;
import java.util.Map;

/** Decides whether a key's grants give a principal an operation. */
public final class Grants {
  private Grants() {}

  /**
   * The first grant that names {@code principal} as grantee, includes {@code operation}, and has
   * constraints that {@code context} satisfies (constraints govern only operations that take an
   * encryption context; a constrained grant's DescribeKey, for one, applies regardless, as in AWS),
   * or null.
   */
  public static GrantRecord allowing(
      List<GrantRecord> grants,
      Principal principal,
      String operation,
      Map<String, String> context) {
    for (GrantRecord g : grants) {
      if (g.granteePrincipal().equals(principal.arn())
          && g.operations().contains(operation)
          && (!GrantOperationNames.takesEncryptionContext(operation)
              || constraintsHold(g, context))) {
        return g;
      }
    }
    return null;
  }

  /**
   * The first grant that gives {@code principal} CreateGrant for a new grant with these operations
   * and constraints, or null. As in AWS, a grantee who got CreateGrant from a grant may create only
   * grants for some or all of that grant's operations, with constraints at least as strict as its
   * own.
   */
  public static GrantRecord allowingCreateGrant(
      List<GrantRecord> grants,
      Principal principal,
      List<String> operations,
      Map<String, String> contextEquals,
      Map<String, String> contextSubset) {
    for (GrantRecord g : grants) {
      if (g.granteePrincipal().equals(principal.arn())
          && g.operations().contains(GrantOperationNames.CREATE_GRANT)
          && g.operations().containsAll(operations)
          && atLeastAsStrict(contextEquals, contextSubset, g)) {
        return g;
      }
    }
    return null;
  }

  /** Whether every context the new constraints allow is also allowed by {@code parent}'s. */
  private static boolean atLeastAsStrict(
      Map<String, String> contextEquals, Map<String, String> contextSubset, GrantRecord parent) {
    if (contextEquals != null) {
      return constraintsHold(parent, contextEquals); // the one context the new grant allows
    }
    if (parent.contextEquals() != null) {
      return false; // a subset (or no) constraint allows more than one context
    }
    Map<String, String> subset = contextSubset == null ? Map.of() : contextSubset;
    return parent.contextSubset() == null
        || subset.entrySet().containsAll(parent.contextSubset().entrySet());
  }

  static boolean constraintsHold(GrantRecord g, Map<String, String> context) {
    Map<String, String> ctx = context == null ? Map.of() : context;
    if (g.contextEquals() != null && !g.contextEquals().equals(ctx)) {
      return false;
    }
    if (g.contextSubset() != null) {
      for (Map.Entry<String, String> e : g.contextSubset().entrySet()) {
        if (!e.getValue().equals(ctx.get(e.getKey()))) {
          return false;
        }
      }
    }
    return true;
  }
}
