package io.qkms.engine.keys;

import java.util.Objects;

/** A 12-digit account ID. One key store holds exactly one account. */
public final class AccountId {
  private final String value;

  private AccountId(String value) {
    this.value = value;
  }

  /**
   * Parses an account ID.
   *
   * @throws IllegalArgumentException unless {@code value} is exactly 12 ASCII digits
   */
  public static AccountId of(String value) {
    if (!isValid(value)) {
      throw new IllegalArgumentException("An account ID is exactly 12 digits: " + value);
    }
    return new AccountId(value);
  }

  /** Whether {@code value} is a well-formed account ID. */
  public static boolean isValid(String value) {
    if (value == null || value.length() != 12) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountId other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
