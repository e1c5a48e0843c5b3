package io.qkms.engine.api;

import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Arns;
import java.util.regex.Pattern;

/**
 * Who makes a call: the account root ({@code arn:verenc:<account>:root}), a user ({@code
 * arn:verenc:<account>:user/<name>}) or a role ({@code arn:verenc:<account>:role/<name>}). Key
 * policies and grants decide what each may do.
 */
public final class Principal {
  /** The three kinds of principal. */
  public enum Kind {
    ROOT,
    USER,
    ROLE
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}");

  private final AccountId account;
  private final Kind kind;
  private final String name;
  private final String arn;

  private Principal(AccountId account, Kind kind, String name) {
    this.account = account;
    this.kind = kind;
    this.name = name;
    this.arn =
        Arns.PREFIX
            + account.value()
            + (kind == Kind.ROOT ? ":root" : ":" + kind.name().toLowerCase() + "/" + name);
  }

  /** The user's or role's name; null for the account root. */
  public String name() {
    return name;
  }

  public static Principal root(AccountId account) {
    return new Principal(account, Kind.ROOT, null);
  }

  public static Principal user(AccountId account, String name) {
    return new Principal(account, Kind.USER, checkName(name));
  }

  public static Principal role(AccountId account, String name) {
    return new Principal(account, Kind.ROLE, checkName(name));
  }

  /**
   * Parses a principal ARN.
   *
   * @throws IllegalArgumentException if it is not one of the three forms
   */
  public static Principal parse(String arn) {
    Principal p = tryParse(arn);
    if (p == null) {
      throw new IllegalArgumentException(
          "A principal is arn:verenc:<account>:root, ...:user/<name> or ...:role/<name>: " + arn);
    }
    return p;
  }

  /** Parses a principal ARN, or returns {@code null}. */
  public static Principal tryParse(String arn) {
    if (arn == null || !arn.startsWith(Arns.PREFIX)) {
      return null;
    }
    int colon = arn.indexOf(':', Arns.PREFIX.length());
    if (colon < 0 || !AccountId.isValid(arn.substring(Arns.PREFIX.length(), colon))) {
      return null;
    }
    AccountId account = AccountId.of(arn.substring(Arns.PREFIX.length(), colon));
    String rest = arn.substring(colon + 1);
    if (rest.equals("root")) {
      return root(account);
    }
    for (Kind kind : new Kind[] {Kind.USER, Kind.ROLE}) {
      String prefix = kind.name().toLowerCase() + "/";
      if (rest.startsWith(prefix) && isValidName(rest.substring(prefix.length()))) {
        return new Principal(account, kind, rest.substring(prefix.length()));
      }
    }
    return null;
  }

  private static String checkName(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException("Invalid principal name: " + name);
    }
    return name;
  }

  /** IAM's name rule: 1..64 of letters, digits and {@code +=,.@_-}. */
  static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  public AccountId account() {
    return account;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isRoot() {
    return kind == Kind.ROOT;
  }

  public String arn() {
    return arn;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Principal other && arn.equals(other.arn);
  }

  @Override
  public int hashCode() {
    return arn.hashCode();
  }

  @Override
  public String toString() {
    return arn;
  }
}
