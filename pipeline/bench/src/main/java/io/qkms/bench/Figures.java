package io.qkms.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one bench run, each with the JDK it was measured on. Repeated measurements are
 * kept apart until {@link #medians()} folds them into one figure each: the median (the machine is
 * shared, one run can land on another tenant's burst), the largest for a peak heap, and for a rate
 * also its smallest and largest ({@code _min}, {@code _max}).
 */
final class Figures {
  private final Map<String, Double> values = new TreeMap<>();
  private final Map<String, String> jdkOf = new TreeMap<>();
  private final Map<String, List<Double>> runs = new TreeMap<>();
  private final Map<String, List<Double>> history = new TreeMap<>();

  /** A figure measured once. */
  void put(String key, double value, String jdk) {
    values.put(key, value);
    jdkOf.put(key, jdk);
  }

  /** One run's value of a repeated measurement. */
  void addRun(String key, double value, String jdk) {
    runs.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    jdkOf.put(key, jdk);
  }

  /** Folds the repeated measurements into figures (see the class comment). */
  void medians() {
    runs.forEach(
        (key, list) -> {
          history.put(key, List.copyOf(list));
          List<Double> sorted = new ArrayList<>(list);
          Collections.sort(sorted);
          values.put(
              key, key.endsWith("heap_peak_mb") ? sorted.get(sorted.size() - 1) : median(sorted));
          if (key.endsWith("records_per_s")) {
            values.put(key + "_min", sorted.get(0));
            values.put(key + "_max", sorted.get(sorted.size() - 1));
            jdkOf.put(key + "_min", jdkOf.get(key));
            jdkOf.put(key + "_max", jdkOf.get(key));
          }
        });
    runs.clear();
  }

  static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /**
   * {@code key} = {@code numerator / denominator} when both figures exist; its JDK is theirs, or
   * both named when they differ (a Java 25 run against a Java 17 run).
   */
  void ratio(String key, String numerator, String denominator) {
    Double a = values.get(numerator);
    Double b = values.get(denominator);
    if (a == null || b == null || b == 0) {
      return;
    }
    String ja = jdkOf.get(numerator);
    String jb = jdkOf.get(denominator);
    values.put(key, a / b);
    jdkOf.put(key, ja.equals(jb) ? ja : ja + " / " + jb);
  }

  /** {@code key} = the figure {@code from}, under another name. */
  void alias(String key, String from) {
    if (values.containsKey(from)) {
      values.put(key, values.get(from));
      jdkOf.put(key, jdkOf.get(from));
    }
  }

  Double get(String key) {
    return values.get(key);
  }

  Map<String, Double> values() {
    return Collections.unmodifiableMap(values);
  }

  /** Each repeated figure's values, in the order measured (the runs alternate). */
  Map<String, List<Double>> runs() {
    return Collections.unmodifiableMap(history);
  }

  Map<String, String> jdkOf() {
    return Collections.unmodifiableMap(jdkOf);
  }
}
