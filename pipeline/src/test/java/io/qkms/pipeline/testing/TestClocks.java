package io.qkms.pipeline.testing;

import io.qkms.engine.testing.MutableClock;
import io.qkms.pipeline.worker.ClockSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hand-moved clocks that worker engines in this JVM (Direct runner threads, Flink's embedded
 * cluster) find by name: the DoFn carries only the name.
 */
public final class TestClocks {
  private static final Map<String, MutableClock> CLOCKS = new ConcurrentHashMap<>();

  private TestClocks() {}

  /** A new clock under a fresh name. */
  public static Named create(String name) {
    MutableClock c = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    CLOCKS.put(name, c);
    return new Named(name);
  }

  public static MutableClock get(String name) {
    return CLOCKS.get(name);
  }

  /** The serializable reference a DoFn carries; equal names are equal sources. */
  public record Named(String name) implements ClockSource {
    @Override
    public Clock clock() {
      return CLOCKS.get(name);
    }

    public MutableClock mutable() {
      return CLOCKS.get(name);
    }
  }
}
