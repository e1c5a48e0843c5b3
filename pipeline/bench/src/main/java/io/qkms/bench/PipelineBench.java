package io.qkms.bench;

import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.report.Progress;
import io.qkms.pipeline.report.RunReport;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pipeline part of {@code scripts/bench}: runs the re-key job in this JVM (so the heap it is
 * given is the job's), samples the used heap while it runs, and prints {@code name value} lines:
 *
 * <ul>
 *   <li>{@code records_per_s}: records read ÷ seconds from the first record processed to the end of
 *       the run, output written and committed and counts checked (reading, re-encrypting and
 *       writing; start-up excluded);
 *   <li>{@code second_half_records_per_s}: the rate over the second half of the records the
 *       re-encrypt step processed, its JIT warm (from its progress count, sampled every 10 ms;
 *       without the final commit and count check); printed when the job reports progress;
 *   <li>{@code finish_s}: seconds from the last record re-encrypted to the end of the run (the
 *       writers closed, the output committed, the counts checked); printed with the former;
 *   <li>{@code startup_s}: seconds from JVM start to the first record processed;
 *   <li>{@code total_s}: seconds from JVM start to the end of the run;
 *   <li>{@code heap_peak_mb}: the largest used heap seen (sampled every 10 ms);
 *   <li>{@code dead_letters}: the records dead-lettered;
 *   <li>through a KMS endpoint, from report.json's {@code kms}: {@code kms_requests} (ReEncrypt
 *       operations sent, retries and batch items counted), {@code kms_throttled}, {@code
 *       kms_throttled_s} and {@code kms_accepted_requests_per_s} (operations accepted per second of
 *       processing).
 * </ul>
 *
 * <p>Usage: {@code java -Xmx1g -cp <job jar> io.qkms.pipeline.bench.PipelineBench <job options>}.
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] args) throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long[] peak = new long[1];
    List<long[]> progress = new ArrayList<>(); // {nanoTime, records processed}, on each change
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                long used = memory.getHeapMemoryUsage().getUsed();
                long processed = Progress.recordsInThisJvm();
                synchronized (peak) {
                  peak[0] = Math.max(peak[0], used);
                  if (progress.isEmpty() || progress.get(progress.size() - 1)[1] != processed) {
                    progress.add(new long[] {System.nanoTime(), processed});
                  }
                }
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();

    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    ReKeyJob.Outcome outcome = ReKeyJob.run(args, quiet, System.err);
    long end = System.currentTimeMillis();
    long endNanos = System.nanoTime();
    sampler.interrupt();
    sampler.join();

    RunReport report = outcome.report();
    if (outcome.exitCode() != 0 || report == null || report.processingStartMillis() < 0) {
      System.err.println("PipelineBench: the run failed (exit " + outcome.exitCode() + ")");
      System.exit(outcome.exitCode() == 0 ? 1 : outcome.exitCode());
    }
    long launch = ManagementFactory.getRuntimeMXBean().getStartTime();
    long first = report.processingStartMillis();
    double processing = (end - first) / 1000.0;
    print("records", report.read());
    print("records_per_s", report.read() / processing);
    synchronized (peak) {
      double secondHalf = secondHalfRate(progress, report.read());
      if (secondHalf > 0) {
        print("second_half_records_per_s", secondHalf);
      }
      long last = nanosAt(progress, report.read());
      if (last > 0) {
        print("finish_s", (endNanos - last) / 1e9);
      }
    }
    print("startup_s", (first - launch) / 1000.0);
    print("total_s", (end - launch) / 1000.0);
    synchronized (peak) {
      print("heap_peak_mb", peak[0] / (1024.0 * 1024.0));
    }
    print("heap_max_mb", memory.getHeapMemoryUsage().getMax() / (1024.0 * 1024.0));
    print("dead_letters", report.deadLettered());
    if (report.remote()) {
      print("kms_requests", report.kmsRequests());
      print("kms_throttled", report.kmsThrottled());
      print("kms_throttled_s", report.kmsThrottledSeconds());
      print("kms_accepted_requests_per_s", report.kmsAchievedRequestsPerSecond());
    }
  }

  /**
   * Records/s from the sample where the count first reached half of {@code total} to the one where
   * it first reached {@code total}; 0 when the samples do not cover the whole run.
   */
  static double secondHalfRate(List<long[]> samples, long total) {
    long[] half = null;
    for (long[] s : samples) {
      if (half == null && s[1] >= total / 2) {
        half = s;
      }
      if (s[1] >= total && half != null && s[0] > half[0]) {
        return (s[1] - half[1]) / ((s[0] - half[0]) / 1e9);
      }
    }
    return 0;
  }

  /** The sample time where the count first reached {@code total}; 0 if it never did. */
  static long nanosAt(List<long[]> samples, long total) {
    for (long[] s : samples) {
      if (s[1] >= total) {
        return s[0];
      }
    }
    return 0;
  }

  private static void print(String name, double value) {
    System.out.println(String.format(Locale.ROOT, "%s %.3f", name, value));
  }
}
