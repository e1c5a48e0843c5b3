package io.qkms.engine.cache;

/**
 * Counters of the key cache since the engine started. Metadata covers key records and alias
 * resolutions; materials are unwrapped key materials. Evictions count entries dropped for size or
 * age (not explicit invalidations after a local write).
 */
public record KeyCacheStats(
    long metadataHits,
    long metadataMisses,
    long metadataEvictions,
    long materialHits,
    long materialMisses,
    long materialEvictions) {

  /** Hits over lookups across both caches, or 1.0 when nothing was looked up yet. */
  public double hitRate() {
    long hits = metadataHits + materialHits;
    long total = hits + metadataMisses + materialMisses;
    return total == 0 ? 1.0 : (double) hits / total;
  }

  /** The counts accumulated between {@code earlier} and this snapshot. */
  public KeyCacheStats minus(KeyCacheStats earlier) {
    return new KeyCacheStats(
        metadataHits - earlier.metadataHits,
        metadataMisses - earlier.metadataMisses,
        metadataEvictions - earlier.metadataEvictions,
        materialHits - earlier.materialHits,
        materialMisses - earlier.materialMisses,
        materialEvictions - earlier.materialEvictions);
  }
}
