package io.qkms.engine.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of the engine's key cache: how many keys' metadata and how many unwrapped materials it
 * keeps, and for how long. The TTL is also the longest an administrator's change (DisableKey, a new
 * policy, a rotation) made by another process takes to reach a running engine.
 */
public final class KeyCacheConfig {
  public static final int DEFAULT_MAX_KEYS = 10_000;
  public static final int DEFAULT_MAX_MATERIALS = 10_000;
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

  private final int maxKeys;
  private final int maxMaterials;
  private final Duration ttl;

  private KeyCacheConfig(Builder b) {
    this.maxKeys = b.maxKeys;
    this.maxMaterials = b.maxMaterials;
    this.ttl = b.ttl;
  }

  public static KeyCacheConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Most key metadata entries (key records and alias resolutions, each) kept. */
  public int maxKeys() {
    return maxKeys;
  }

  /** Most unwrapped key materials kept. */
  public int maxMaterials() {
    return maxMaterials;
  }

  /** How long an entry lives after it was loaded; zero disables caching. */
  public Duration ttl() {
    return ttl;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyCacheConfig c
        && maxKeys == c.maxKeys
        && maxMaterials == c.maxMaterials
        && ttl.equals(c.ttl);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxKeys, maxMaterials, ttl);
  }

  @Override
  public String toString() {
    return "KeyCacheConfig[maxKeys="
        + maxKeys
        + ", maxMaterials="
        + maxMaterials
        + ", ttl="
        + ttl
        + "]";
  }

  /** Builds a {@link KeyCacheConfig}; setters reject invalid values at once. */
  public static final class Builder {
    private int maxKeys = DEFAULT_MAX_KEYS;
    private int maxMaterials = DEFAULT_MAX_MATERIALS;
    private Duration ttl = DEFAULT_TTL;

    private Builder() {}

    public Builder maxKeys(int maxKeys) {
      if (maxKeys < 1) {
        throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
      }
      this.maxKeys = maxKeys;
      return this;
    }

    public Builder maxMaterials(int maxMaterials) {
      if (maxMaterials < 1) {
        throw new IllegalArgumentException("maxMaterials must be at least 1, was " + maxMaterials);
      }
      this.maxMaterials = maxMaterials;
      return this;
    }

    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative()) {
        throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    public KeyCacheConfig build() {
      return new KeyCacheConfig(this);
    }
  }
}
