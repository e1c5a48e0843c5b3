package io.qkms.engine.internal.auth;

import java.util.Locale;

/**
 * IAM-style wildcard matching: {@code *} matches any run of characters, {@code ?} one. Matching
 * allocates nothing: it runs on every authorization of the data path.
 */
final class Glob {
  private final String pattern;
  private final boolean ignoreCase;
  private final boolean literal;
  private final boolean prefixOnly; // "kms:*", the common shape: one trailing star

  private Glob(String pattern, boolean ignoreCase) {
    this.ignoreCase = ignoreCase;
    this.pattern = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
    this.literal = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0;
    this.prefixOnly = pattern.indexOf('?') < 0 && pattern.indexOf('*') == pattern.length() - 1;
  }

  static Glob caseSensitive(String pattern) {
    return new Glob(pattern, false);
  }

  static Glob ignoringCase(String pattern) {
    return new Glob(pattern, true);
  }

  boolean matches(String text) {
    if (literal) {
      return ignoreCase ? pattern.equalsIgnoreCase(text) : pattern.equals(text);
    }
    if (prefixOnly) {
      int n = pattern.length() - 1;
      return text.regionMatches(ignoreCase, 0, pattern, 0, n);
    }
    return match(text);
  }

  private char at(String text, int i) {
    char c = text.charAt(i);
    return ignoreCase ? Character.toLowerCase(c) : c;
  }

  /** Iterative wildcard match with single-star backtracking: linear in practice. */
  private boolean match(String t) {
    String p = pattern;
    int pi = 0;
    int ti = 0;
    int star = -1;
    int mark = 0;
    while (ti < t.length()) {
      if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == at(t, ti))) {
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
