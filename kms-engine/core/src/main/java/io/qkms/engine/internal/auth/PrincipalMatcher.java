package io.qkms.engine.internal.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/** The Principal element of a statement: {@code "*"}, or {@code {"AWS": [arns or accounts]}}. */
final class PrincipalMatcher {
  private final boolean anyone;
  private final Set<String> arns;

  private PrincipalMatcher(boolean anyone, Set<String> arns) {
    this.anyone = anyone;
    this.arns = arns;
  }

  static PrincipalMatcher parse(JsonNode node) throws PolicyException {
    if (node.isTextual()) {
      if (node.asText().equals("*")) {
        return new PrincipalMatcher(true, Set.of());
      }
      throw new PolicyException("Principal must be \"*\" or {\"AWS\": ...}");
    }
    if (!node.isObject()) {
      throw new PolicyException("Principal must be \"*\" or {\"AWS\": ...}");
    }
    Set<String> arns = new HashSet<>();
    boolean anyone = false;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String type = it.next();
      if (!type.equals("AWS")) {
        throw new PolicyException("Unsupported principal type: " + type);
      }
    }
    if (!node.has("AWS")) {
      throw new PolicyException("Principal must name AWS principals");
    }
    for (String p : KeyPolicy.strings(node.get("AWS"), "Principal")) {
      if (p.equals("*")) {
        anyone = true;
      } else if (AccountId.isValid(p)) {
        arns.add(Principal.root(AccountId.of(p)).arn());
      } else {
        Principal principal = Principal.tryParse(p);
        if (principal == null) {
          throw new PolicyException("Invalid principal in policy: " + p);
        }
        arns.add(principal.arn());
      }
    }
    return new PrincipalMatcher(anyone, Set.copyOf(arns));
  }

  boolean matches(Principal p) {
    return anyone || arns.contains(p.arn());
  }
}
