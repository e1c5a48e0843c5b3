package io.qkms.engine.keys;

import java.util.regex.Pattern;

/**
 * A 12-digit account ID. One key store holds exactly one account.
 *
 * @param value the twelve digits
 */
public record AccountId(String value) {
  private static final Pattern DIGITS = Pattern.compile("[0-9]{12}");

  /**
   * Checks the ID.
   *
   * @throws IllegalArgumentException unless {@code value} is exactly 12 ASCII digits
   */
  public AccountId {
    if (!isValid(value)) {
      throw new IllegalArgumentException("An account ID is exactly 12 digits: " + value);
    }
  }

  /**
   * Parses an account ID.
   *
   * @throws IllegalArgumentException unless {@code value} is exactly 12 ASCII digits
   */
  public static AccountId of(String value) {
    return new AccountId(value);
  }

  /** Whether {@code value} is a well-formed account ID. */
  public static boolean isValid(String value) {
    return value != null && DIGITS.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }
}
