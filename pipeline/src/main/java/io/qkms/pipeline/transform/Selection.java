package io.qkms.pipeline.transform;

import io.qkms.engine.keys.KeyIdentifier;
import java.io.Serializable;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which ciphertexts a run re-keys: those whose header names one of some keys, and/or whose key
 * material was created before a time. A ciphertext that is not selected passes through unchanged
 * and is counted ({@code fieldsSkippedBySelection}). Immutable; {@link #all()} selects everything.
 */
public final class Selection implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Selection ALL = new Selection(List.of(), List.of(), null);

  private final List<String> sourceKeys; // empty: any key
  private final List<String> keyArns; // the keys resolved before the run; empty: by the workers
  private final Instant materialsCreatedBefore; // null: any age

  private Selection(List<String> sourceKeys, List<String> keyArns, Instant materialsCreatedBefore) {
    this.sourceKeys = List.copyOf(sourceKeys);
    this.keyArns = List.copyOf(keyArns);
    this.materialsCreatedBefore = materialsCreatedBefore;
  }

  /** Every ciphertext. */
  public static Selection all() {
    return ALL;
  }

  /**
   * Only ciphertexts under one of these keys (key ID, key ARN, alias name or alias ARN).
   *
   * @throws IllegalArgumentException naming an identifier that is none of the four forms
   */
  public Selection withSourceKeys(List<String> keyIds) {
    List<String> keys = new ArrayList<>();
    for (String k : keyIds) {
      String id = k == null ? "" : k.strip();
      if (KeyIdentifier.parse(id) == null) {
        throw new IllegalArgumentException(
            "'" + id + "' is not a key identifier (a key ID, key ARN, alias/name or alias ARN)");
      }
      if (!keys.contains(id)) {
        keys.add(id);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("give at least one key");
    }
    return new Selection(keys, List.of(), materialsCreatedBefore);
  }

  /**
   * This selection with its keys resolved before the run (through a KMS endpoint: DescribeKey of
   * each), so that the workers need not ask: the key ARN of each of {@link #sourceKeys()}, in
   * order.
   */
  public Selection withResolvedSourceKeys(List<String> keyArns) {
    if (keyArns.size() != sourceKeys.size()) {
      throw new IllegalArgumentException(
          "resolved " + keyArns.size() + " keys, not the " + sourceKeys.size() + " named");
    }
    return new Selection(sourceKeys, keyArns, materialsCreatedBefore);
  }

  /** Only ciphertexts whose key material was created strictly before {@code time}. */
  public Selection withMaterialsCreatedBefore(Instant time) {
    return new Selection(sourceKeys, keyArns, Objects.requireNonNull(time, "time"));
  }

  /**
   * The time {@code text} names: an ISO date ({@code 2025-06-01}, midnight UTC), an instant ({@code
   * 2025-06-01T12:00:00Z}), or a duration before {@code clock}'s now ({@code P365D}, {@code PT12H},
   * {@code P1Y}).
   *
   * @throws IllegalArgumentException saying which forms are accepted
   */
  public static Instant parseTime(String text, Clock clock) {
    String t = text == null ? "" : text.strip();
    try {
      if (t.startsWith("P") || t.startsWith("p")) {
        String upper = t.toUpperCase(Locale.ROOT);
        Instant now = clock.instant();
        if (upper.contains("T")) {
          Duration d = Duration.parse(upper);
          if (d.isNegative()) {
            throw new DateTimeException("negative");
          }
          return now.minus(d);
        }
        Period p = Period.parse(upper);
        if (p.isNegative()) {
          throw new DateTimeException("negative");
        }
        return now.atZone(ZoneOffset.UTC).minus(p).toInstant();
      }
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(t);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "' is neither an ISO date (2025-06-01), an instant (2025-06-01T12:00:00Z) nor a"
              + " duration back from now (P365D, PT12H)");
    }
  }

  /** The keys named, as given; empty: any key. */
  public List<String> sourceKeys() {
    return sourceKeys;
  }

  /** The key ARNs of {@link #sourceKeys()} if they were resolved before the run, else empty. */
  public List<String> resolvedSourceKeys() {
    return keyArns;
  }

  /** The creation time materials must be older than, or null for any. */
  public Instant materialsCreatedBefore() {
    return materialsCreatedBefore;
  }

  /** True when it selects every ciphertext. */
  public boolean selectsAll() {
    return sourceKeys.isEmpty() && materialsCreatedBefore == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Selection s
        && sourceKeys.equals(s.sourceKeys)
        && keyArns.equals(s.keyArns)
        && Objects.equals(materialsCreatedBefore, s.materialsCreatedBefore);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sourceKeys, keyArns, materialsCreatedBefore);
  }

  @Override
  public String toString() {
    if (selectsAll()) {
      return "all";
    }
    List<String> parts = new ArrayList<>();
    if (!sourceKeys.isEmpty()) {
      parts.add("keys " + String.join(",", sourceKeys));
    }
    if (materialsCreatedBefore != null) {
      parts.add("materials created before " + materialsCreatedBefore);
    }
    return String.join("; ", parts);
  }
}
