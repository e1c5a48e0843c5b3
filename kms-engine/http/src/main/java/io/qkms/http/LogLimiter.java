package io.qkms.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a log line through at most once every 10 s (the first at once): for warnings a client can
 * provoke at will, which must not flood the log. Thread-safe; a line lost to a race is one that
 * came within the interval anyway.
 */
final class LogLimiter {
  private static final long EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final AtomicLong last = new AtomicLong(System.nanoTime() - EVERY_NANOS);

  /** Whether a line may go out now; if so, the next one waits 10 s. */
  boolean allow() {
    long now = System.nanoTime();
    long previous = last.get();
    return now - previous >= EVERY_NANOS && last.compareAndSet(previous, now);
  }
}
