package io.qkms.pipeline.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Records read over a run, sampled where the job is launched while the pipeline runs (the figure
 * the progress lines measure, for the runs whose workers share the launcher's JVM: Direct and
 * embedded Flink). At most {@value #MAX_POINTS} points: when a long run fills them, every other one
 * is dropped and the step doubles, so a run of days keeps an even series.
 */
public final class Timeline implements AutoCloseable {
  static final int MAX_POINTS = 600;

  /** Records read {@code seconds} after the run started. */
  public record Point(double seconds, long records) {}

  private final LongSupplier records;
  private final long startNanos;
  private final long baseline;
  private final List<Point> points = new ArrayList<>();
  private final Thread sampler;
  private long stepMillis;

  private Timeline(LongSupplier records, long stepMillis) {
    this.records = records;
    this.stepMillis = stepMillis;
    this.startNanos = System.nanoTime();
    this.baseline = records.getAsLong();
    this.sampler = new Thread(this::sample, "qkms-rekey-timeline");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Samples {@code records} (a running total) every {@code stepMillis} until closed. */
  public static Timeline start(LongSupplier records, long stepMillis) {
    if (stepMillis < 1) {
      throw new IllegalArgumentException("The step must be positive, was " + stepMillis);
    }
    return new Timeline(records, stepMillis);
  }

  private void sample() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(stepMillis);
      } catch (InterruptedException e) {
        return;
      }
      add();
    }
  }

  private synchronized void add() {
    points.add(
        new Point(
            Math.round((System.nanoTime() - startNanos) / 1e6) / 1000.0,
            records.getAsLong() - baseline));
    if (points.size() >= MAX_POINTS) {
      List<Point> kept = new ArrayList<>();
      for (int i = 1; i < points.size(); i += 2) {
        kept.add(points.get(i));
      }
      points.clear();
      points.addAll(kept);
      stepMillis *= 2;
    }
  }

  /** The points so far, and one for now. */
  public synchronized List<Point> points() {
    return List.copyOf(points);
  }

  /** Stops sampling after a last point. */
  @Override
  public void close() {
    sampler.interrupt();
    try {
      sampler.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    add();
  }
}
