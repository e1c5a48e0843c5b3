package io.qkms.engine.keys;

import java.util.regex.Pattern;

/** A region name such as {@code us-east-1}. Every call is made in one region. */
public final class Region implements Comparable<Region> {
  private static final Pattern NAME = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  private final String name;

  private Region(String name) {
    this.name = name;
  }

  /**
   * Parses a region name.
   *
   * @throws IllegalArgumentException unless the name looks like {@code us-east-1}
   */
  public static Region of(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "A region name looks like us-east-1 or eu-central-1: " + name);
    }
    return new Region(name);
  }

  public static boolean isValid(String name) {
    return name != null && name.length() <= 32 && NAME.matcher(name).matches();
  }

  public String name() {
    return name;
  }

  @Override
  public int compareTo(Region other) {
    return name.compareTo(other.name);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Region other && name.equals(other.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
