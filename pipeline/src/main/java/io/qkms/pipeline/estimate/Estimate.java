package io.qkms.pipeline.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code --estimateOnly} prints: findings (the records counted, the sample tried, a
 * calibration, a cost), each a line of text with its figures, and the expected duration: start-up
 * plus the slowest of the bounds on processing (local CPU from a calibration; a remote KMS adds the
 * bound of its request quota). Every mode of the job adds what it knows to one estimate, so the
 * output has one shape. Nothing in it is written anywhere.
 */
public final class Estimate {
  /** One finding: {@code name: text}, with its figures for programs. */
  public record Item(String name, String text, Map<String, Object> figures) {}

  /** A lower bound on the processing time and why: the expected time is the largest. */
  public record Bound(String name, double seconds, String basis) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<Item> items = new ArrayList<>();
  private final List<Bound> bounds = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private double startupSeconds;
  private String startupBasis = "";

  public Estimate item(String name, String text, Map<String, Object> figures) {
    items.add(new Item(name, text, Map.copyOf(figures)));
    return this;
  }

  public Estimate bound(String name, double seconds, String basis) {
    bounds.add(new Bound(name, seconds, basis));
    return this;
  }

  public Estimate startup(double seconds, String basis) {
    startupSeconds = seconds;
    startupBasis = basis;
    return this;
  }

  /** Something the estimate could not take into account. */
  public Estimate note(String text) {
    notes.add(text);
    return this;
  }

  public List<Item> items() {
    return List.copyOf(items);
  }

  public List<Bound> bounds() {
    return List.copyOf(bounds);
  }

  /** The bound that decides the processing time, or null when there is none. */
  public Bound limitingBound() {
    Bound max = null;
    for (Bound b : bounds) {
      if (max == null || b.seconds() > max.seconds()) {
        max = b;
      }
    }
    return max;
  }

  /** Start-up plus the largest bound; NaN when no bound is known. */
  public double expectedSeconds() {
    Bound b = limitingBound();
    return b == null ? Double.NaN : startupSeconds + b.seconds();
  }

  public String text() {
    StringBuilder s = new StringBuilder("QKMS re-key estimate (nothing was written):\n");
    for (Item i : items) {
      s.append("  ").append(i.name()).append(": ").append(i.text()).append('\n');
    }
    for (Bound b : bounds) {
      s.append(
          String.format(
              Locale.ROOT, "  bound, %s: %s (%s)%n", b.name(), duration(b.seconds()), b.basis()));
    }
    Bound limit = limitingBound();
    if (limit == null) {
      s.append("  expected duration: not known (nothing was calibrated)\n");
    } else {
      s.append(
          String.format(
              Locale.ROOT,
              "  expected duration: about %s (start-up about %s, %s; then %s, %s)%n",
              duration(expectedSeconds()),
              duration(startupSeconds),
              startupBasis,
              duration(limit.seconds()),
              limit.name()));
    }
    for (String n : notes) {
      s.append("  note: ").append(n).append('\n');
    }
    return s.toString();
  }

  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    for (Item i : items) {
      ObjectNode o = n.putObject(i.name());
      o.put("text", i.text());
      JSON.valueToTree(new LinkedHashMap<>(i.figures()))
          .fields()
          .forEachRemaining(e -> o.set(e.getKey(), e.getValue()));
    }
    ObjectNode b = n.putObject("bounds");
    for (Bound x : bounds) {
      b.putObject(x.name()).put("seconds", x.seconds()).put("basis", x.basis());
    }
    n.put("startupSeconds", startupSeconds);
    double e = expectedSeconds();
    if (Double.isNaN(e)) {
      n.putNull("expectedSeconds");
    } else {
      n.put("expectedSeconds", Math.round(e * 10) / 10.0);
    }
    n.putPOJO("notes", notes);
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** {@code 42 s}, {@code 12 min 5 s}, {@code 3 h 20 min}. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return seconds < 10 ? String.format(Locale.ROOT, "%.1f s", seconds) : s + " s";
    }
    if (s < 3600) {
      return (s / 60) + " min " + (s % 60) + " s";
    }
    return (s / 3600) + " h " + ((s % 3600) / 60) + " min";
  }
}
