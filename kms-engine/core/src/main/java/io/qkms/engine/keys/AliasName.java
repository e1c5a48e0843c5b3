package io.qkms.engine.keys;

/** An alias name: {@code alias/} followed by letters, digits, {@code /}, {@code _} or {@code -}. */
public final class AliasName {
  public static final String PREFIX = "alias/";

  /** Aliases under this prefix belong to AWS managed keys, which QKMS does not have. */
  public static final String RESERVED_PREFIX = "alias/aws/";

  public static final int MAX_LENGTH = 256;

  private final String value;

  private AliasName(String value) {
    this.value = value;
  }

  /**
   * Parses an alias name.
   *
   * @throws IllegalArgumentException unless it is a well-formed alias name
   */
  public static AliasName parse(String value) {
    AliasName name = tryParse(value);
    if (name == null) {
      throw new IllegalArgumentException("Not an alias name: " + value);
    }
    return name;
  }

  /** Parses an alias name, or returns {@code null} if it is not one. */
  public static AliasName tryParse(String value) {
    if (value == null
        || value.length() <= PREFIX.length()
        || value.length() > MAX_LENGTH
        || !value.startsWith(PREFIX)) {
      return null;
    }
    for (int i = PREFIX.length(); i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '/'
              || c == '_'
              || c == '-';
      if (!ok) {
        return null;
      }
    }
    return new AliasName(value);
  }

  public boolean isReserved() {
    return value.startsWith(RESERVED_PREFIX);
  }

  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AliasName other && value.equals(other.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
