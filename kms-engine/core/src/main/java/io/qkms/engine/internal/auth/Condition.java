package io.qkms.engine.internal.auth;

import java.util.List;
import java.util.Locale;

/** One (operator, condition key, values) test of a policy statement's Condition block. */
final class Condition {
  private enum Op {
    STRING_EQUALS(false),
    STRING_NOT_EQUALS(true),
    STRING_EQUALS_IGNORE_CASE(false),
    STRING_NOT_EQUALS_IGNORE_CASE(true),
    STRING_LIKE(false),
    STRING_NOT_LIKE(true),
    BOOL(false),
    NULL(false);

    final boolean negated;

    Op(boolean negated) {
      this.negated = negated;
    }
  }

  private enum SetQualifier {
    NONE,
    FOR_ANY_VALUE,
    FOR_ALL_VALUES
  }

  private final Op op;
  private final SetQualifier qualifier;
  private final boolean ifExists;
  private final String key; // lower case
  private final List<String> values;
  private final List<Glob> globs;

  private Condition(
      Op op, SetQualifier qualifier, boolean ifExists, String key, List<String> values) {
    this.op = op;
    this.qualifier = qualifier;
    this.ifExists = ifExists;
    this.key = key;
    this.values = values;
    this.globs =
        op == Op.STRING_LIKE || op == Op.STRING_NOT_LIKE
            ? values.stream().map(Glob::caseSensitive).toList()
            : List.of();
  }

  /** Parses an operator name such as {@code ForAnyValue:StringEqualsIfExists}. */
  static Condition of(String operator, String conditionKey, List<String> values)
      throws PolicyException {
    String name = operator;
    SetQualifier qualifier = SetQualifier.NONE;
    if (name.startsWith("ForAnyValue:")) {
      qualifier = SetQualifier.FOR_ANY_VALUE;
      name = name.substring("ForAnyValue:".length());
    } else if (name.startsWith("ForAllValues:")) {
      qualifier = SetQualifier.FOR_ALL_VALUES;
      name = name.substring("ForAllValues:".length());
    }
    boolean ifExists = name.endsWith("IfExists") && !name.equals("Null");
    if (ifExists) {
      name = name.substring(0, name.length() - "IfExists".length());
    }
    Op op =
        switch (name) {
          case "StringEquals" -> Op.STRING_EQUALS;
          case "StringNotEquals" -> Op.STRING_NOT_EQUALS;
          case "StringEqualsIgnoreCase" -> Op.STRING_EQUALS_IGNORE_CASE;
          case "StringNotEqualsIgnoreCase" -> Op.STRING_NOT_EQUALS_IGNORE_CASE;
          case "StringLike" -> Op.STRING_LIKE;
          case "StringNotLike" -> Op.STRING_NOT_LIKE;
          case "Bool" -> Op.BOOL;
          case "Null" -> Op.NULL;
          default -> throw new PolicyException("Unsupported condition operator: " + operator);
        };
    if (op == Op.NULL && (qualifier != SetQualifier.NONE || ifExists)) {
      throw new PolicyException("Unsupported condition operator: " + operator);
    }
    if (values.isEmpty()) {
      throw new PolicyException("Condition " + operator + " on " + conditionKey + " has no value");
    }
    return new Condition(op, qualifier, ifExists, conditionKey.toLowerCase(Locale.ROOT), values);
  }

  boolean test(RequestContext request) {
    List<String> actual = request.values(key);
    if (op == Op.NULL) {
      boolean absent = actual == null || actual.isEmpty();
      return values.stream().anyMatch(v -> Boolean.parseBoolean(v) == absent);
    }
    if (actual == null || actual.isEmpty()) {
      if (qualifier == SetQualifier.FOR_ALL_VALUES) {
        return true; // IAM: ForAllValues over an empty set is vacuously true
      }
      if (qualifier == SetQualifier.FOR_ANY_VALUE) {
        return false; // IAM: ForAnyValue over a missing key is false, negated or IfExists alike
      }
      return ifExists || op.negated;
    }
    return switch (qualifier) {
      case FOR_ALL_VALUES -> actual.stream().allMatch(this::testOne);
      case FOR_ANY_VALUE, NONE -> actual.stream().anyMatch(this::testOne);
    };
  }

  /** Whether one request value satisfies the operator against the condition's values. */
  private boolean testOne(String actual) {
    return switch (op) {
      case STRING_EQUALS -> values.contains(actual);
      case STRING_NOT_EQUALS -> !values.contains(actual);
      case STRING_EQUALS_IGNORE_CASE -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
      case STRING_NOT_EQUALS_IGNORE_CASE ->
          values.stream().noneMatch(v -> v.equalsIgnoreCase(actual));
      case STRING_LIKE -> globs.stream().anyMatch(g -> g.matches(actual));
      case STRING_NOT_LIKE -> globs.stream().noneMatch(g -> g.matches(actual));
      case BOOL -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
      case NULL -> throw new IllegalStateException("handled in test()");
    };
  }
}
