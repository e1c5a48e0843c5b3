package io.qkms.engine.internal.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A key policy in the IAM policy grammar, parsed once and evaluated per request.
 *
 * <p>Supported: {@code Version}, {@code Id}, {@code Statement} (one object or a list) with {@code
 * Sid}, {@code Effect}, {@code Principal} ({@code "*"} or {@code {"AWS": ...}} with principal ARNs,
 * {@code "*"} or a 12-digit account ID meaning its root), {@code Action}/{@code NotAction} with
 * {@code *}/{@code ?} wildcards, {@code Resource}/{@code NotResource}, and {@code Condition} with
 * the String, Bool and Null operators, {@code IfExists} and the {@code ForAnyValue}/{@code
 * ForAllValues} qualifiers. An explicit Deny wins over any Allow.
 *
 * <p>QKMS has no IAM, so unlike AWS the account root in a policy stands only for the root
 * principal, not for every identity of the account: give users and roles access by naming them here
 * or with grants.
 */
public final class KeyPolicy {
  /** AWS's limit on a key policy document. */
  public static final int MAX_SIZE_CHARS = 32768;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
  private static final Set<String> STATEMENT_FIELDS =
      Set.of(
          "Sid",
          "Effect",
          "Principal",
          "NotPrincipal",
          "Action",
          "NotAction",
          "Resource",
          "NotResource",
          "Condition");

  private final List<Statement> statements;

  private KeyPolicy(List<Statement> statements) {
    this.statements = statements;
  }

  /** The policy CreateKey gives a key when the caller passes none: the account root may do all. */
  public static String defaultPolicyJson(AccountId account) {
    ObjectNode root = JSON.createObjectNode();
    root.put("Version", "2012-10-17");
    root.put("Id", "key-default-1");
    ObjectNode st = root.putArray("Statement").addObject();
    st.put("Sid", "Enable IAM User Permissions");
    st.put("Effect", "Allow");
    st.putObject("Principal").put("AWS", Principal.root(account).arn());
    st.put("Action", "kms:*");
    st.put("Resource", "*");
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses and checks a policy document.
   *
   * @throws PolicyException with a message naming the problem
   */
  public static KeyPolicy parse(String document) throws PolicyException {
    if (document == null || document.isBlank()) {
      throw new PolicyException("The policy document is empty");
    }
    if (document.length() > MAX_SIZE_CHARS) {
      throw new PolicyException("The policy document is longer than 32768 characters");
    }
    JsonNode root;
    try {
      root = JSON.readTree(document);
    } catch (JsonProcessingException e) {
      throw new PolicyException("The policy document is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new PolicyException("The policy document must be a JSON object");
    }
    JsonNode version = root.get("Version");
    if (version != null && (!version.isTextual() || !VERSIONS.contains(version.asText()))) {
      throw new PolicyException("Unsupported policy Version: " + version);
    }
    JsonNode st = root.get("Statement");
    if (st == null) {
      throw new PolicyException("The policy has no Statement");
    }
    List<Statement> statements = new ArrayList<>();
    if (st.isArray()) {
      for (JsonNode s : st) {
        statements.add(statement(s));
      }
    } else {
      statements.add(statement(st));
    }
    if (statements.isEmpty()) {
      throw new PolicyException("The policy has no Statement");
    }
    return new KeyPolicy(List.copyOf(statements));
  }

  /** Evaluates this policy: an explicit Deny wins, then any Allow, else an implicit deny. */
  public Decision evaluate(RequestContext request) {
    boolean allowed = false;
    for (Statement s : statements) {
      if (s.applies(request)) {
        if (!s.allow) {
          return Decision.EXPLICIT_DENY;
        }
        allowed = true;
      }
    }
    return allowed ? Decision.ALLOW : Decision.IMPLICIT_DENY;
  }

  private static Statement statement(JsonNode s) throws PolicyException {
    if (!s.isObject()) {
      throw new PolicyException("Each Statement must be a JSON object");
    }
    for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!STATEMENT_FIELDS.contains(f)) {
        throw new PolicyException("Unknown field in Statement: " + f);
      }
    }
    JsonNode effect = s.get("Effect");
    if (effect == null || !(effect.asText().equals("Allow") || effect.asText().equals("Deny"))) {
      throw new PolicyException("Statement Effect must be Allow or Deny");
    }
    if (s.has("Principal") == s.has("NotPrincipal")) {
      throw new PolicyException(
          "A key policy statement needs exactly one of Principal, NotPrincipal");
    }
    if (s.has("Action") == s.has("NotAction")) {
      throw new PolicyException("A statement needs exactly one of Action, NotAction");
    }
    if (s.has("Resource") == s.has("NotResource")) {
      throw new PolicyException("A statement needs exactly one of Resource, NotResource");
    }
    boolean notPrincipal = s.has("NotPrincipal");
    PrincipalMatcher principals =
        PrincipalMatcher.parse(s.get(notPrincipal ? "NotPrincipal" : "Principal"));
    boolean notAction = s.has("NotAction");
    List<Glob> actions = new ArrayList<>();
    for (String a : strings(s.get(notAction ? "NotAction" : "Action"), "Action")) {
      actions.add(Glob.ignoringCase(a));
    }
    boolean notResource = s.has("NotResource");
    List<Glob> resources = new ArrayList<>();
    for (String r : strings(s.get(notResource ? "NotResource" : "Resource"), "Resource")) {
      resources.add(Glob.caseSensitive(r));
    }
    List<Condition> conditions = new ArrayList<>();
    JsonNode cond = s.get("Condition");
    if (cond != null) {
      if (!cond.isObject()) {
        throw new PolicyException("Condition must be a JSON object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> ops = cond.fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        if (!op.getValue().isObject()) {
          throw new PolicyException("Condition " + op.getKey() + " must map keys to values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields();
            keys.hasNext(); ) {
          Map.Entry<String, JsonNode> k = keys.next();
          conditions.add(Condition.of(op.getKey(), k.getKey(), strings(k.getValue(), "Condition")));
        }
      }
    }
    return new Statement(
        effect.asText().equals("Allow"),
        principals,
        notPrincipal,
        actions,
        notAction,
        resources,
        notResource,
        conditions);
  }

  static List<String> strings(JsonNode node, String field) throws PolicyException {
    List<String> out = new ArrayList<>();
    if (node.isTextual() || node.isBoolean() || node.isNumber()) {
      out.add(node.asText());
    } else if (node.isArray() && !node.isEmpty()) {
      for (JsonNode n : node) {
        if (!(n.isTextual() || n.isBoolean() || n.isNumber())) {
          throw new PolicyException(field + " values must be strings");
        }
        out.add(n.asText());
      }
    } else {
      throw new PolicyException(field + " must be a string or a non-empty list of strings");
    }
    return out;
  }

  private record Statement(
      boolean allow,
      PrincipalMatcher principals,
      boolean notPrincipal,
      List<Glob> actions,
      boolean notAction,
      List<Glob> resources,
      boolean notResource,
      List<Condition> conditions) {

    boolean applies(RequestContext r) {
      if (principals.matches(r.principal()) == notPrincipal) {
        return false;
      }
      if (anyMatch(actions, r.action()) == notAction) {
        return false;
      }
      if (anyMatch(resources, r.resourceArn()) == notResource) {
        return false;
      }
      for (Condition c : conditions) {
        if (!c.test(r)) {
          return false;
        }
      }
      return true;
    }

    private static boolean anyMatch(List<Glob> globs, String value) {
      for (Glob g : globs) {
        if (g.matches(value)) {
          return true;
        }
      }
      return false;
    }
  }
}
