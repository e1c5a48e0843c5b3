package io.qkms.bench;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The engine part of {@code scripts/bench}: ReEncrypt and the AES-GCM floor for 64 B, 1 KiB and 4
 * KiB with one thread, and 64 B with two threads, all in one run (each benchmark in its own JVM,
 * the one this runs on), as {@code name value} figures: ops/s and the engine/floor ratios. A
 * benchmark that throws fails the run ({@link RunnerException}); JMH's own output goes to a log
 * file.
 *
 * <p>Alone: {@code java -cp <bench class path> io.qkms.bench.EngineBench [iterations] [seconds]}.
 */
public final class EngineBench {
  private static final String[] SIZES = {"64", "1024", "4096"};
  private static final String[] NAMES = {"64b", "1kib", "4kib"};

  private EngineBench() {}

  public static void main(String[] args) throws RunnerException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    run(iterations, seconds, null)
        .forEach((k, v) -> System.out.printf(Locale.ROOT, "%s %.4f%n", k, v));
  }

  /**
   * Runs every figure; JMH writes one log file per benchmark into {@code logs} (to stdout when
   * null).
   */
  static Map<String, Double> run(int iterations, int seconds, Path logs) throws RunnerException {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < SIZES.length; i++) {
      double engine = score(ReEncryptBenchmark.class, SIZES[i], 1, iterations, seconds, logs);
      double floor = score(AesGcmFloorBenchmark.class, SIZES[i], 1, iterations, seconds, logs);
      out.put("engine.reencrypt_" + NAMES[i] + "_ops_per_s", engine);
      out.put("engine.floor_" + NAMES[i] + "_ops_per_s", floor);
      out.put("engine.ratio_" + NAMES[i], engine / floor);
    }
    double engine2 = score(ReEncryptBenchmark.class, "64", 2, iterations, seconds, logs);
    double floor2 = score(AesGcmFloorBenchmark.class, "64", 2, iterations, seconds, logs);
    out.put("engine.reencrypt_64b_2t_ops_per_s", engine2);
    out.put("engine.floor_64b_2t_ops_per_s", floor2);
    out.put("engine.ratio_64b_2t", engine2 / floor2);
    return out;
  }

  private static double score(
      Class<?> benchmark, String size, int threads, int iterations, int seconds, Path logs)
      throws RunnerException {
    String name = benchmark.getSimpleName() + "-" + size + "-" + threads + "t";
    OptionsBuilder b = new OptionsBuilder();
    b.include(benchmark.getName() + "\\.")
        .param("payloadBytes", size)
        .threads(threads)
        .forks(1)
        .warmupIterations(3)
        .warmupTime(TimeValue.seconds(2))
        .measurementIterations(iterations)
        .measurementTime(TimeValue.seconds(seconds))
        .shouldFailOnError(true);
    Path log = logs == null ? null : logs.resolve("jmh-" + name + ".log");
    if (log != null) {
      b.output(log.toString());
    }
    Options opts = b.build();
    Collection<RunResult> results;
    try {
      results = new Runner(opts).run();
    } catch (RunnerException e) {
      throw new RunnerException(name + " failed" + (log == null ? "" : " (log: " + log + ")"), e);
    }
    if (results.isEmpty()) {
      throw new RunnerException(
          name + " produced no result" + (log == null ? "" : " (log: " + log + ")"));
    }
    return results.iterator().next().getPrimaryResult().getScore();
  }
}
