package io.qkms.engine.keys;

import java.util.regex.Pattern;

/**
 * An alias name: {@code alias/} followed by letters, digits, {@code /}, {@code _} or {@code -}.
 *
 * @param value the whole name, {@code alias/} included
 */
public record AliasName(String value) {
  public static final String PREFIX = "alias/";

  /** Aliases under this prefix belong to AWS managed keys, which QKMS does not have. */
  public static final String RESERVED_PREFIX = "alias/aws/";

  public static final int MAX_LENGTH = 256;

  private static final Pattern SUFFIX = Pattern.compile("[a-zA-Z0-9/_-]+");

  /**
   * Parses an alias name.
   *
   * @throws IllegalArgumentException unless it is a well-formed alias name
   */
  public static AliasName parse(String value) {
    return new AliasName(value);
  }

  /** Parses an alias name, or returns {@code null} if it is not one. */
  public static AliasName tryParse(String value) {
    return isValid(value) ? new AliasName(value) : null;
  }

  private static boolean isValid(String value) {
    return value != null
        && value.length() <= MAX_LENGTH
        && value.startsWith(PREFIX)
        && SUFFIX.matcher(value).region(PREFIX.length(), value.length()).matches();
  }

  /**
   * Checks the name; {@link #parse} and {@link #tryParse} are the usual ways in.
   *
   * @throws IllegalArgumentException unless it is a well-formed alias name
   */
  public AliasName {
    if (!isValid(value)) {
      throw new IllegalArgumentException("Not an alias name: " + value);
    }
  }

  public boolean isReserved() {
    return value.startsWith(RESERVED_PREFIX);
  }

  @Override
  public String toString() {
    return value;
  }
}
