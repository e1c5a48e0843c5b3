package io.qkms.pipeline.samples;

import io.qkms.engine.keys.Region;
import io.qkms.pipeline.ReKeyJob;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code scripts/samples}: the samples' command line. */
public final class SamplesTool {
  private static final String USAGE =
      """
      Usage: scripts/samples [--work=DIR] <command>   (DIR defaults to samples/work)
        init                          a fresh key store and data sets in DIR
        demo [job options]            init, re-key data/customers.avro, check the output
                                      (what `scripts/rekey --samples` runs)
        walkthrough NAME [job opts]   rekey | rotation | cross-region | bad-records
        bench N                       data/bench-N.avro: N records, 64-byte secrets
        rotate KEY                    RotateKeyOnDemand
        enable-key KEY | disable-key KEY
        verify RUN_DIR KEY [REGION]   decrypt a run's output and compare with the originals
        dead-letters DIR              one line per dead letter (code, field, key)
      """;

  private SamplesTool() {}

  public static void main(String[] args) throws IOException {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
    List<String> rest = new ArrayList<>(Arrays.asList(args));
    Path work = Path.of("samples", "work");
    if (!rest.isEmpty() && rest.get(0).startsWith("--work=")) {
      work = Path.of(rest.remove(0).substring("--work=".length()));
    }
    if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
      out.print(USAGE);
      return rest.isEmpty() ? 2 : 0;
    }
    Samples samples = Samples.at(work);
    String command = rest.remove(0);
    switch (command) {
      case "init" -> {
        samples.init();
        out.println("Made fresh samples in " + work + " (key store: " + samples.keystore() + ")");
        return 0;
      }
      case "demo" -> {
        return demo(samples, rest, out);
      }
      case "walkthrough" -> {
        if (rest.isEmpty()) {
          err.print(USAGE);
          return 2;
        }
        String name = rest.remove(0);
        Walkthroughs.Result r = new Walkthroughs(samples, out, rest).run(name);
        boolean ok =
            r.runs().stream().allMatch(o -> o.exitCode() == ReKeyJob.EXIT_OK)
                && r.checks().stream().allMatch(Samples.Verified::ok);
        out.println();
        out.println(ok ? "Walk-through " + name + ": done." : "Walk-through " + name + ": FAILED");
        return ok ? 0 : 1;
      }
      case "bench" -> {
        int n = Integer.parseInt(single(rest, "bench N"));
        Path file = samples.bench(n);
        out.println("Wrote " + n + " records to " + file);
        return 0;
      }
      case "rotate" -> {
        samples.rotate(single(rest, "rotate KEY"));
        out.println("Rotated " + rest.get(0));
        return 0;
      }
      case "enable-key" -> {
        samples.enableKey(single(rest, "enable-key KEY"));
        out.println("Enabled " + rest.get(0));
        return 0;
      }
      case "disable-key" -> {
        samples.disableKey(single(rest, "disable-key KEY"));
        out.println("Disabled " + rest.get(0));
        return 0;
      }
      case "verify" -> {
        if (rest.size() < 2) {
          err.print(USAGE);
          return 2;
        }
        Region region = rest.size() > 2 ? Region.of(rest.get(2)) : Samples.US_EAST_1;
        Samples.Verified v = samples.verify(Path.of(rest.get(0)), rest.get(1), region);
        out.println(describe(v, rest.get(1)));
        return v.ok() ? 0 : 1;
      }
      case "dead-letters" -> {
        Samples.describeDeadLetters(Path.of(single(rest, "dead-letters DIR")))
            .forEach(out::println);
        return 0;
      }
      default -> {
        err.println("Unknown command: " + command);
        err.print(USAGE);
        return 2;
      }
    }
  }

  /** Fresh samples, the re-key job on customers.avro, and a check of its output. */
  static int demo(Samples samples, List<String> jobOptions, PrintStream out) throws IOException {
    samples.init();
    Path run = samples.work().resolve("runs/demo");
    out.println("Made fresh samples in " + samples.work() + "; re-keying data/customers.avro:");
    List<String> args =
        new ArrayList<>(List.of("--input=" + samples.data("customers.avro"), "--output=" + run));
    args.addAll(samples.jobOptions(Samples.NEW_KEY));
    args.addAll(jobOptions);
    ReKeyJob.Outcome o = ReKeyJob.run(args.toArray(new String[0]), out, System.err);
    if (o.exitCode() != ReKeyJob.EXIT_OK) {
      return o.exitCode();
    }
    Samples.Verified v = samples.verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    out.println(describe(v, Samples.NEW_KEY));
    out.println("  dead letters (the four deliberately bad records):");
    Samples.describeDeadLetters(run.resolve("dead-letter")).forEach(l -> out.println("    " + l));
    out.println("  report: " + run.resolve(ReKeyJob.REPORT_FILE));
    out.println("  walk-throughs: samples/README.md");
    return v.ok() ? 0 : 1;
  }

  static String describe(Samples.Verified v, String key) {
    if (v.ok()) {
      return String.format(
          "  check: all %,d ciphertexts in %,d records decrypt under %s to the original plaintext"
              + " (%,d null fields)",
          v.fields(), v.records(), key, v.nulls());
    }
    return "  check FAILED: " + v.problems().size() + " problems, first: " + v.problems().get(0);
  }

  private static String single(List<String> rest, String usage) {
    if (rest.size() != 1) {
      throw new IllegalArgumentException("Usage: scripts/samples " + usage);
    }
    return rest.get(0);
  }
}
