package io.qkms.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the engine benchmarks the way {@code scripts/bench} reports them: ReEncrypt and the AES-GCM
 * floor for 64 B, 1 KiB and 4 KiB with one thread, and 64 B with two threads, all in one JVM run,
 * and prints one {@code name value} line per figure (ops/s, and the engine/floor ratios).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.qkms.bench.EngineBench [iterations] [seconds]}.
 */
public final class EngineBench {
  private static final String[] SIZES = {"64", "1024", "4096"};
  private static final String[] NAMES = {"64b", "1kib", "4kib"};

  private EngineBench() {}

  public static void main(String[] args) throws RunnerException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < SIZES.length; i++) {
      double engine = score(ReEncryptBenchmark.class, SIZES[i], 1, iterations, seconds);
      double floor = score(AesGcmFloorBenchmark.class, SIZES[i], 1, iterations, seconds);
      out.put("engine.reencrypt_" + NAMES[i] + "_ops_per_s", engine);
      out.put("engine.floor_" + NAMES[i] + "_ops_per_s", floor);
      out.put("engine.ratio_" + NAMES[i], engine / floor);
    }
    double engine2 = score(ReEncryptBenchmark.class, "64", 2, iterations, seconds);
    double floor2 = score(AesGcmFloorBenchmark.class, "64", 2, iterations, seconds);
    out.put("engine.reencrypt_64b_2t_ops_per_s", engine2);
    out.put("engine.floor_64b_2t_ops_per_s", floor2);
    out.put("engine.ratio_64b_2t", engine2 / floor2);
    out.forEach((k, v) -> System.out.printf("%s %.4f%n", k, v));
  }

  private static double score(
      Class<?> benchmark, String size, int threads, int iterations, int seconds)
      throws RunnerException {
    Options opts =
        new OptionsBuilder()
            .include(benchmark.getName())
            .param("payloadBytes", size)
            .threads(threads)
            .forks(1)
            .warmupIterations(3)
            .warmupTime(TimeValue.seconds(2))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .build();
    Collection<RunResult> results = new Runner(opts).run();
    return results.iterator().next().getPrimaryResult().getScore();
  }
}
