package io.qkms.engine.auth;

import io.qkms.engine.api.Principal;
import io.qkms.engine.store.GrantRecord;
import java.util.List;
import java.util.Map;

/** Decides whether a key's grants give a principal an operation. */
public final class Grants {
  private Grants() {}

  /**
   * Whether some grant names {@code principal} as grantee, includes {@code operation}, and has
   * constraints that {@code context} satisfies.
   */
  public static boolean allow(
      List<GrantRecord> grants,
      Principal principal,
      String operation,
      Map<String, String> context) {
    for (GrantRecord g : grants) {
      if (g.granteePrincipal().equals(principal.arn())
          && g.operations().contains(operation)
          && constraintsHold(g, context)) {
        return true;
      }
    }
    return false;
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
