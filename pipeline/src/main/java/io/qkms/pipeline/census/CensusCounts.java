package io.qkms.pipeline.census;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a census counted: records read and, per ciphertext field, the blobs naming each (key ID,
 * material ID) and the values that named none, by reason. Mergeable (counts of parts of the input
 * add up); mutable only while being counted.
 */
public final class CensusCounts implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A null or absent ciphertext field. */
  public static final String NULL = "null";

  /** Bytes (or decoded base64) that are no QKMS ciphertext. */
  public static final String NOT_QKMS = "notQkmsBlob";

  @JsonProperty("records")
  long records;

  /** field -> key ID -> material ID -> blobs. */
  @JsonProperty("blobs")
  final TreeMap<String, TreeMap<String, TreeMap<String, Long>>> blobs = new TreeMap<>();

  /** field -> reason -> values (a reason is {@link #NULL}, {@link #NOT_QKMS} or an error code). */
  @JsonProperty("notParsed")
  final TreeMap<String, TreeMap<String, Long>> notParsed = new TreeMap<>();

  /**
   * Epoch milliseconds of the first record counted (the earliest over the parts merged), {@link
   * Long#MAX_VALUE} when none: the start of the census's processing window. Not a count, so not
   * part of {@link #equals}.
   */
  @JsonProperty("firstRecordMillis")
  long firstRecordMillis = Long.MAX_VALUE;

  public long records() {
    return records;
  }

  public Map<String, TreeMap<String, TreeMap<String, Long>>> blobs() {
    return blobs;
  }

  public Map<String, TreeMap<String, Long>> notParsed() {
    return notParsed;
  }

  /** When the first record was counted (epoch ms), or -1 when no record was. */
  public long firstRecordMillis() {
    return firstRecordMillis == Long.MAX_VALUE ? -1 : firstRecordMillis;
  }

  void addBlobs(String field, String keyId, String materialId, long n) {
    blobs
        .computeIfAbsent(field, f -> new TreeMap<>())
        .computeIfAbsent(keyId, k -> new TreeMap<>())
        .merge(materialId, n, Long::sum);
  }

  void addNotParsed(String field, String reason, long n) {
    notParsed.computeIfAbsent(field, f -> new TreeMap<>()).merge(reason, n, Long::sum);
  }

  /** Adds {@code other}'s counts to these. */
  public CensusCounts merge(CensusCounts other) {
    records += other.records;
    firstRecordMillis = Math.min(firstRecordMillis, other.firstRecordMillis);
    other.blobs.forEach(
        (field, byKey) ->
            byKey.forEach(
                (key, byMaterial) ->
                    byMaterial.forEach((material, n) -> addBlobs(field, key, material, n))));
    other.notParsed.forEach(
        (field, byReason) -> byReason.forEach((reason, n) -> addNotParsed(field, reason, n)));
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CensusCounts c
        && records == c.records
        && blobs.equals(c.blobs)
        && notParsed.equals(c.notParsed);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(records) * 31 + blobs.hashCode() * 17 + notParsed.hashCode();
  }
}
