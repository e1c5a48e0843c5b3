package io.qkms.pipeline.worker.remote;

import java.util.function.LongSupplier;

/**
 * The request budget of one worker JVM, as a pacer with additive increase and multiplicative
 * decrease (AIMD): permits are handed out evenly spaced at the current rate (no bursts, however
 * long the worker was idle); an overloaded answer (ThrottlingException, a 5xx) cuts the rate to
 * {@value #DECREASE} of itself, at most once per {@value #DECREASE_GAP_MILLIS} ms and only for
 * requests paced after the last cut (the answers to requests in flight or waiting for their turn at
 * the old rate say the same thing once); a batch answer in which most items were throttled cuts
 * deeper, to the share of its items accepted, but never below {@value #DEEPEST_DECREASE} (so a job
 * that starts far above the endpoint's quota gets down to it in a few cuts, while a batch with one
 * item throttled costs no more than a single call); every {@value #INCREASE_INTERVAL_MILLIS} ms
 * without one adds 1% of the rate it was cut to, back up to the ceiling (the worker's share of the
 * job's budget). Without a budget the ceiling is infinite: the rate is unbounded until the first
 * overload, which starts from the rate observed over the last second, and it becomes unbounded
 * again once it is well above what the worker sends. Thread-safe; time comes from an injected
 * nanosecond clock, so tests need no sleeps.
 *
 * <p>It also keeps the time spent throttled: from a throttled answer to the next answer that was
 * not.
 */
final class AimdLimiter {
  static final double DECREASE = 0.8;
  static final double DEEPEST_DECREASE = 0.5;
  static final long DECREASE_GAP_MILLIS = 250;
  static final long INCREASE_INTERVAL_MILLIS = 100;
  static final double MIN_RATE = 1.0;
  private static final long MILLI = 1_000_000L;
  private static final long WINDOW_NANOS = 1_000 * MILLI;

  private final LongSupplier nanoTime;
  private final long createdNanos;
  private double ceiling;
  private double rate;
  private double nextFreeNanos;
  private double increment;
  private long lastDecreaseNanos;
  private long lastIncreaseNanos;
  private long throttledSinceNanos = -1;
  private long throttledNanos;
  // Permits handed out in the current and the previous one-second window (the observed rate).
  private long windowStartNanos;
  private long windowPermits;
  private long previousWindowPermits;

  AimdLimiter(double ceiling, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    long now = nanoTime.getAsLong();
    this.createdNanos = now;
    this.ceiling = ceiling <= 0 ? Double.POSITIVE_INFINITY : ceiling;
    this.rate = this.ceiling;
    this.nextFreeNanos = now;
    this.lastDecreaseNanos = now - DECREASE_GAP_MILLIS * MILLI;
    this.lastIncreaseNanos = now;
    this.windowStartNanos = now;
  }

  /** A new ceiling (0 or less: none), e.g. when the JVM's share of the budget changes. */
  synchronized void ceiling(double permitsPerSecond) {
    double c = permitsPerSecond <= 0 ? Double.POSITIVE_INFINITY : permitsPerSecond;
    if (rate >= ceiling || rate > c) {
      rate = c;
    }
    ceiling = c;
  }

  synchronized double ceiling() {
    return ceiling;
  }

  /** The time on this limiter's clock, for {@link #onOverload(boolean, int, int, long)}. */
  long now() {
    return nanoTime.getAsLong();
  }

  synchronized double rate() {
    return rate;
  }

  /**
   * Reserves {@code permits} (ReEncrypt operations about to be sent).
   *
   * @return nanoseconds to wait before sending them (0: now)
   */
  synchronized long reserve(int permits) {
    long now = nanoTime.getAsLong();
    countWindow(now, permits);
    if (Double.isInfinite(rate)) {
      return 0;
    }
    double start = Math.max(now, nextFreeNanos);
    nextFreeNanos = start + permits * 1e9 / rate;
    return (long) Math.ceil(start - now);
  }

  /** An answer that was not throttled: the rate grows back; a throttled stretch ends. */
  synchronized void onSuccess() {
    long now = nanoTime.getAsLong();
    if (throttledSinceNanos >= 0) {
      throttledNanos += now - throttledSinceNanos;
      throttledSinceNanos = -1;
    }
    long steps = (now - lastIncreaseNanos) / (INCREASE_INTERVAL_MILLIS * MILLI);
    if (steps <= 0) {
      return;
    }
    lastIncreaseNanos += steps * INCREASE_INTERVAL_MILLIS * MILLI;
    if (Double.isInfinite(rate)) {
      return;
    }
    rate = Math.min(ceiling, rate + steps * increment);
    if (Double.isInfinite(ceiling) && rate > 4 * Math.max(observedRate(now), MIN_RATE)) {
      rate = ceiling; // far above what is sent: the limit no longer binds
    }
  }

  /**
   * An overloaded answer: the rate is cut (at most once per gap).
   *
   * @param throttled a ThrottlingException (counted as time throttled), not a 5xx
   */
  synchronized void onOverload(boolean throttled) {
    onOverload(throttled, 0, 1, nanoTime.getAsLong());
  }

  /**
   * An overloaded answer to a request paced at {@code sentNanos} (this limiter's clock), a batch of
   * which {@code accepted} of {@code answered} items were not overloaded: the rate is cut (at most
   * once per gap, and not for a request sent before the last cut) to that share of itself, within
   * {@value #DEEPEST_DECREASE} and {@value #DECREASE}.
   */
  synchronized void onOverload(boolean throttled, int accepted, int answered, long sentNanos) {
    long now = nanoTime.getAsLong();
    if (throttled && throttledSinceNanos < 0) {
      throttledSinceNanos = now;
    }
    if (now - lastDecreaseNanos < DECREASE_GAP_MILLIS * MILLI || sentNanos < lastDecreaseNanos) {
      return;
    }
    lastDecreaseNanos = now;
    lastIncreaseNanos = now;
    double from = Double.isInfinite(rate) ? Math.max(observedRate(now), MIN_RATE) : rate;
    double share = answered <= 1 ? DECREASE : (double) accepted / answered;
    rate = Math.max(MIN_RATE, from * Math.max(DEEPEST_DECREASE, Math.min(DECREASE, share)));
    increment = Math.max(0.1, rate * 0.01);
    nextFreeNanos = Math.max(nextFreeNanos, now);
  }

  /** Nanoseconds spent throttled since the last call (a stretch still going counts up to now). */
  synchronized long takeThrottledNanos() {
    long now = nanoTime.getAsLong();
    long n = throttledNanos;
    throttledNanos = 0;
    if (throttledSinceNanos >= 0) {
      n += now - throttledSinceNanos;
      throttledSinceNanos = now;
    }
    return n;
  }

  private void countWindow(long now, int permits) {
    if (now - windowStartNanos >= WINDOW_NANOS) {
      long windows = (now - windowStartNanos) / WINDOW_NANOS;
      previousWindowPermits = windows == 1 ? windowPermits : 0;
      windowPermits = 0;
      windowStartNanos += windows * WINDOW_NANOS;
    }
    windowPermits += permits;
  }

  /** Permits per second over the last one to two seconds (or since the limiter was made). */
  private double observedRate(long now) {
    double span = Math.min(WINDOW_NANOS + (now - windowStartNanos), now - createdNanos);
    return span <= 0 ? 0 : (previousWindowPermits + windowPermits) * 1e9 / span;
  }
}
