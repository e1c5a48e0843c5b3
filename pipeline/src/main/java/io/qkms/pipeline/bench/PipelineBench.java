package io.qkms.pipeline.bench;

import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.report.RunReport;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * The pipeline part of {@code scripts/bench}: runs the re-key job in this JVM (so the heap it is
 * given is the job's), samples the used heap while it runs, and prints {@code name value} lines:
 *
 * <ul>
 *   <li>{@code records_per_s}: records read ÷ seconds from the first record processed to the end of
 *       the run, output written and committed and counts checked (reading, re-encrypting and
 *       writing; start-up excluded);
 *   <li>{@code startup_s}: seconds from JVM start to the first record processed;
 *   <li>{@code total_s}: seconds from JVM start to the end of the run;
 *   <li>{@code heap_peak_mb}: the largest used heap seen (sampled every 10 ms).
 * </ul>
 *
 * <p>Usage: {@code java -Xmx1g -cp <job jar> io.qkms.pipeline.bench.PipelineBench <job options>}.
 */
public final class PipelineBench {
  private PipelineBench() {}

  public static void main(String[] args) throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long[] peak = new long[1];
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                long used = memory.getHeapMemoryUsage().getUsed();
                synchronized (peak) {
                  peak[0] = Math.max(peak[0], used);
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
    print("startup_s", (first - launch) / 1000.0);
    print("total_s", (end - launch) / 1000.0);
    synchronized (peak) {
      print("heap_peak_mb", peak[0] / (1024.0 * 1024.0));
    }
    print("heap_max_mb", memory.getHeapMemoryUsage().getMax() / (1024.0 * 1024.0));
  }

  private static void print(String name, double value) {
    System.out.println(String.format(Locale.ROOT, "%s %.3f", name, value));
  }
}
