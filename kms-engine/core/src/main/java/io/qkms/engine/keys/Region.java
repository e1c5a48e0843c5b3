package io.qkms.engine.keys;

import java.util.regex.Pattern;

/**
 * A region name such as {@code us-east-1}. Every call is made in one region.
 *
 * @param name the region's name
 */
public record Region(String name) implements Comparable<Region> {
  private static final Pattern NAME = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  /**
   * Checks the name.
   *
   * @throws IllegalArgumentException unless the name looks like {@code us-east-1}
   */
  public Region {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "A region name looks like us-east-1 or eu-central-1: " + name);
    }
  }

  /**
   * Parses a region name.
   *
   * @throws IllegalArgumentException unless the name looks like {@code us-east-1}
   */
  public static Region of(String name) {
    return new Region(name);
  }

  public static boolean isValid(String name) {
    return name != null && name.length() <= 32 && NAME.matcher(name).matches();
  }

  @Override
  public int compareTo(Region other) {
    return name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
