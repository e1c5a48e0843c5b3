package io.qkms.samples;

import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.keys.Region;
import io.qkms.pipeline.ReKeyJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code scripts/samples} (and {@code scripts/rekey --samples}, which is {@code demo}): the
 * samples' command line. A mistake in its use is one line on stderr and exit code 2; a problem with
 * the files it reads is one line and exit code 1.
 */
public final class SamplesTool {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  /** The runner of the job runs unless their options name one, as {@code scripts/rekey}'s. */
  static final String DEFAULT_RUNNER = "--runner=FlinkRunner";

  static final String USAGE =
      """
      Usage: scripts/samples [--work=DIR] <command>   (DIR defaults to samples/work)
        init                          a fresh key store and data sets in DIR
        demo [job options]            init, re-key data/customers.avro, check the output
                                      (what `scripts/rekey --samples` runs)
        walkthrough NAME [job opts]   rekey | rotation | cross-region | bad-records | parquet |
                                      envelope
        bench N                       data/bench-N.avro: N records, 64-byte secrets
        rotate KEY                    RotateKeyOnDemand
        enable-key KEY | disable-key KEY
        verify RUN_DIR KEY [REGION]   decrypt a run's output and compare with the originals
        dead-letters DIR              one line per dead letter (code, field, key)
      Job runs (demo, walkthrough) use Flink embedded unless a --runner is given.
      """;

  static final String DEMO_HELP =
      """
      Usage: scripts/rekey --samples [job options]
      Makes fresh samples in samples/work (a key store and data sets; scripts/samples init),
      re-keys data/customers.avro from alias/sample-old to alias/sample-new with the job, checks
      that every output field decrypts to its original, and lists the four deliberately bad
      records' dead letters. The job options below are added to the run's own (e.g.
      --runner=DirectRunner, --parallelism=1).

      """;

  /** A mistake in the command line: its message is the one line the user sees. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  private SamplesTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns its exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return command(new ArrayList<>(Arrays.asList(args)), out, err);
    } catch (UsageException e) {
      err.println("samples: " + e.getMessage() + " (scripts/samples --help shows the usage)");
      return EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("samples: " + e.getMessage());
      return EXIT_USAGE;
    } catch (KmsException e) {
      err.println("samples: " + e.errorCode() + ": " + e.getMessage());
      return EXIT_FAILED;
    } catch (NoSuchFileException e) {
      err.println("samples: no such file or directory: " + e.getFile());
      return EXIT_FAILED;
    } catch (IOException e) {
      err.println("samples: " + e.getMessage());
      return EXIT_FAILED;
    } catch (UncheckedIOException e) {
      err.println("samples: " + e.getCause().getMessage());
      return EXIT_FAILED;
    }
  }

  private static int command(List<String> rest, PrintStream out, PrintStream err)
      throws IOException {
    Path work = Path.of("samples", "work");
    if (!rest.isEmpty() && rest.get(0).startsWith("--work=")) {
      work = Path.of(rest.remove(0).substring("--work=".length()));
    }
    if (rest.isEmpty()) {
      throw new UsageException("which command? init, demo, walkthrough, bench, verify, ...");
    }
    if (rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
      out.print(USAGE);
      return EXIT_OK;
    }
    Samples samples = Samples.at(work);
    String command = rest.remove(0);
    switch (command) {
      case "init" -> {
        none(rest, "init");
        samples.init();
        out.println("Made fresh samples in " + work + " (key store: " + samples.keystore() + ")");
        return EXIT_OK;
      }
      case "demo" -> {
        return demo(samples, rest, out, err);
      }
      case "walkthrough" -> {
        if (rest.isEmpty() || rest.get(0).startsWith("-")) {
          throw new UsageException(
              "walkthrough needs a name: " + String.join(", ", Walkthroughs.NAMES));
        }
        String name = rest.remove(0);
        if (!Walkthroughs.NAMES.contains(name)) {
          throw new UsageException(
              "no walk-through '" + name + "'; there are " + String.join(", ", Walkthroughs.NAMES));
        }
        Walkthroughs.Result r = new Walkthroughs(samples, out, withRunner(rest)).run(name);
        boolean ok =
            r.runs().stream().allMatch(o -> o.exitCode() == ReKeyJob.EXIT_OK)
                && r.checks().stream().allMatch(Samples.Verified::ok);
        out.println();
        out.println(ok ? "Walk-through " + name + ": done." : "Walk-through " + name + ": FAILED");
        return ok ? EXIT_OK : EXIT_FAILED;
      }
      case "bench" -> {
        String n = one(rest, "bench N");
        int records;
        try {
          records = Integer.parseInt(n);
        } catch (NumberFormatException e) {
          records = -1;
        }
        if (records < 1) {
          throw new UsageException("bench N needs a number of records from 1, not '" + n + "'");
        }
        Path file = samples.bench(records);
        out.println("Wrote " + records + " records to " + file);
        return EXIT_OK;
      }
      case "rotate" -> {
        return keyStep(rest, "rotate KEY", samples::rotate, "Rotated ", out);
      }
      case "enable-key" -> {
        return keyStep(rest, "enable-key KEY", samples::enableKey, "Enabled ", out);
      }
      case "disable-key" -> {
        return keyStep(rest, "disable-key KEY", samples::disableKey, "Disabled ", out);
      }
      case "verify" -> {
        if (rest.size() < 2 || rest.size() > 3) {
          throw new UsageException("verify needs RUN_DIR KEY [REGION]");
        }
        Region region = rest.size() > 2 ? Region.of(rest.get(2)) : Samples.US_EAST_1;
        Samples.Verified v = samples.verify(Path.of(rest.get(0)), rest.get(1), region);
        out.println(describe(v, rest.get(1)));
        return v.ok() ? EXIT_OK : EXIT_FAILED;
      }
      case "dead-letters" -> {
        Samples.describeDeadLetters(Path.of(one(rest, "dead-letters DIR"))).forEach(out::println);
        return EXIT_OK;
      }
      default -> throw new UsageException("no command '" + command + "'");
    }
  }

  /**
   * An administrator's step on the key {@code rest} names ({@code usage}), then says it is done.
   */
  private static int keyStep(
      List<String> rest, String usage, Consumer<String> step, String done, PrintStream out) {
    String key = one(rest, usage);
    step.accept(key);
    out.println(done + key);
    return EXIT_OK;
  }

  /**
   * Fresh samples, the re-key job on customers.avro, and a check of its output. With {@code --help}
   * among the job options: what the demo does and the job's options, and nothing else (no samples
   * made, none wiped).
   */
  static int demo(Samples samples, List<String> jobOptions, PrintStream out, PrintStream err)
      throws IOException {
    if (jobOptions.contains("--help") || jobOptions.contains("-h")) {
      out.print(DEMO_HELP);
      return ReKeyJob.run(new String[] {"--help"}, out, err).exitCode();
    }
    samples.init();
    Path run = samples.work().resolve("runs/demo");
    out.println("Made fresh samples in " + samples.work() + "; re-keying data/customers.avro:");
    List<String> args =
        new ArrayList<>(List.of("--input=" + samples.data("customers.avro"), "--output=" + run));
    args.addAll(samples.jobOptions(Samples.NEW_KEY));
    args.addAll(withRunner(jobOptions));
    ReKeyJob.Outcome o = ReKeyJob.run(args.toArray(new String[0]), out, err);
    if (o.exitCode() != ReKeyJob.EXIT_OK) {
      return o.exitCode();
    }
    Samples.Verified v = samples.verify(run, Samples.NEW_KEY, Samples.US_EAST_1);
    out.println(describe(v, Samples.NEW_KEY));
    out.println("  dead letters (the four deliberately bad records):");
    Samples.describeDeadLetters(run.resolve("dead-letter")).forEach(l -> out.println("    " + l));
    out.println("  report: " + run.resolve(ReKeyJob.REPORT_FILE));
    out.println("  walk-throughs: samples/README.md");
    return v.ok() ? EXIT_OK : EXIT_FAILED;
  }

  /** The job options, with the default runner unless they name one. */
  static List<String> withRunner(List<String> jobOptions) {
    List<String> all = new ArrayList<>(jobOptions);
    if (all.stream().noneMatch(a -> a.equals("--runner") || a.startsWith("--runner="))) {
      all.add(DEFAULT_RUNNER);
    }
    return all;
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

  private static void none(List<String> rest, String command) {
    if (!rest.isEmpty()) {
      throw new UsageException(command + " takes no arguments, not '" + rest.get(0) + "'");
    }
  }

  private static String one(List<String> rest, String usage) {
    if (rest.size() != 1) {
      throw new UsageException(
          usage.split(" ")[0] + " needs " + usage.substring(usage.indexOf(' ') + 1));
    }
    return rest.get(0);
  }
}
