package io.qkms.pipeline.report;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress lines for long runs, written by the workers themselves (a Flink job in attached mode
 * reports metrics only when it ends): every DoFn instance adds what it processed, and whichever
 * adds after the interval has passed logs the JVM's total and rate. No threads.
 */
public final class Progress {
  private static final Logger LOG = LoggerFactory.getLogger("io.qkms.pipeline.progress");
  private static final ConcurrentHashMap<String, Progress> RUNS = new ConcurrentHashMap<>();

  private final String label;
  private final long intervalNanos;
  private final long startNanos = System.nanoTime();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong nextReportNanos;

  private Progress(String label, Duration interval) {
    this.label = label;
    this.intervalNanos = interval.toNanos();
    this.nextReportNanos = new AtomicLong(startNanos + intervalNanos);
  }

  /** The progress of run {@code label} in this JVM. */
  public static Progress of(String label, Duration interval) {
    return RUNS.computeIfAbsent(label, l -> new Progress(l, interval));
  }

  /** Adds {@code n} processed records; logs a line when the interval has passed. */
  public void add(long n) {
    long total = records.addAndGet(n);
    long now = System.nanoTime();
    long next = nextReportNanos.get();
    if (now >= next && nextReportNanos.compareAndSet(next, now + intervalNanos)) {
      double seconds = (now - startNanos) / 1e9;
      LOG.info(
          String.format(
              Locale.ROOT,
              "%s: %,d records in %.0f s (%,.0f records/s)",
              label,
              total,
              seconds,
              total / Math.max(seconds, 1e-9)));
    }
  }

  public long records() {
    return records.get();
  }

  /** Records processed so far in this JVM by run {@code label} (0 if it reported none). */
  public static long recordsOf(String label) {
    Progress p = RUNS.get(label);
    return p == null ? 0 : p.records();
  }

  /** Records processed so far in this JVM by every run that reports progress (for benchmarks). */
  public static long recordsInThisJvm() {
    return RUNS.values().stream().mapToLong(Progress::records).sum();
  }
}
