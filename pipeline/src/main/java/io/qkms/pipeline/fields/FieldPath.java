package io.qkms.pipeline.fields;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A dotted path to a field of a record: {@code card.number}, or through arrays with {@code []}:
 * {@code items[].secret} names the {@code secret} field of every element of the array {@code
 * items}; {@code tags[]} names every element of the array {@code tags}. Avro unions with null are
 * stepped through transparently.
 */
public final class FieldPath implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]*");

  /** One step of a path: a field name, optionally followed by {@code []} (every element). */
  public record Segment(String name, boolean array) implements Serializable {}

  private final String text;
  private final List<Segment> segments;

  private FieldPath(String text, List<Segment> segments) {
    this.text = text;
    this.segments = List.copyOf(segments);
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException naming the path and what is wrong with it
   */
  public static FieldPath parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("A field path must not be empty");
    }
    String t = text.strip();
    List<Segment> segments = new ArrayList<>();
    for (String part : t.split("\\.", -1)) {
      boolean array = part.endsWith("[]");
      String name = array ? part.substring(0, part.length() - 2) : part;
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "Invalid field path '"
                + text
                + "': each step is a field name (letters, digits, _ or -, not starting with a"
                + " digit), optionally followed by [] for every element of an array");
      }
      segments.add(new Segment(name, array));
    }
    return new FieldPath(t, segments);
  }

  public List<Segment> segments() {
    return segments;
  }

  /**
   * Refuses context references that go through an array: a reference names one value per record.
   *
   * @throws IllegalArgumentException naming the first such reference
   */
  static void requireSingleValued(List<FieldPath> references) {
    for (FieldPath r : references) {
      if (r.crossesArray()) {
        throw new IllegalArgumentException(
            "Context reference ${"
                + r
                + "}: references cannot go through arrays (they name one value per record)");
      }
    }
  }

  /** Whether some step goes through an array (so a record may hold any number of values). */
  public boolean crossesArray() {
    for (Segment s : segments) {
      if (s.array()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code other} lies strictly inside the field this path names. */
  public boolean isPrefixOf(FieldPath other) {
    if (other.segments.size() <= segments.size()) {
      return false;
    }
    for (int i = 0; i < segments.size(); i++) {
      Segment a = segments.get(i);
      Segment b = other.segments.get(i);
      if (!a.name().equals(b.name())) {
        return false;
      }
      if (i < segments.size() - 1 && a.array() != b.array()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldPath p && text.equals(p.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(text);
  }

  /** The path as written, e.g. {@code items[].secret}. */
  @Override
  public String toString() {
    return text;
  }
}
