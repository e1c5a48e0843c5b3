package io.qkms.engine.auth;

import java.util.Locale;

/** IAM-style wildcard matching: {@code *} matches any run of characters, {@code ?} one. */
final class Glob {
  private final String pattern;
  private final boolean ignoreCase;
  private final boolean literal;

  private Glob(String pattern, boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
    this.pattern = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    this.literal = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
  }

  static Glob caseSensitive(String pattern) {
    return new Glob(pattern, false);
  }

  static Glob ignoringCase(String pattern) {
    return new Glob(pattern, true);
  }

  boolean matches(String text) {
    String t = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
    if (literal) {
      return pattern.equals(t);
    }
    return match(pattern, 0, t, 0);
  }

  /** Iterative wildcard match with single-star backtracking: linear in practice. */
  private static boolean match(String p, int pi, String t, int ti) {
    int star = -1;
    int mark = 0;
    while (ti < t.length()) {
      if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == t.charAt(ti))) {
        pi++;
        ti++;
      } else if (pi < p.length() && p.charAt(pi) == '*') {
        star = pi++;
        mark = ti;
      } else if (star >= 0) {
        pi = star + 1;
        ti = ++mark;
      } else {
        return false;
      }
    }
    while (pi < p.length() && p.charAt(pi) == '*') {
      pi++;
    }
    return pi == p.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
