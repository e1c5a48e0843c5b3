package io.qkms.pipeline.transform;

import java.io.Serializable;
import java.time.Duration;

/**
 * Bounded retries with jittered exponential backoff ("full jitter": a uniformly random wait up to
 * {@code initial * 2^(n-1)}, capped), so that workers that failed together do not retry together.
 */
final class Backoff implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How a retry waits; tests record the waits instead. */
  interface Sleeper extends Serializable {
    void sleep(long millis) throws InterruptedException;
  }

  static final Sleeper THREAD_SLEEP = Thread::sleep;

  private final int maxAttempts;
  private final long initialMillis;
  private final long maxMillis;

  Backoff(int maxAttempts, Duration initial, Duration max) {
    this.maxAttempts = maxAttempts;
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
  }

  int maxAttempts() {
    return maxAttempts;
  }

  Duration initial() {
    return Duration.ofMillis(initialMillis);
  }

  Backoff withMaxAttempts(int attempts) {
    return new Backoff(attempts, Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis));
  }

  Backoff withInitial(Duration initial) {
    return new Backoff(maxAttempts, initial, Duration.ofMillis(maxMillis));
  }

  /** The wait after failed attempt {@code attempt} (1-based), for {@code random} in [0, 1). */
  long delayMillis(int attempt, double random) {
    long ceiling = initialMillis;
    for (int i = 1; i < attempt && ceiling < maxMillis; i++) {
      ceiling *= 2;
    }
    return (long) (random * Math.min(ceiling, maxMillis));
  }
}
