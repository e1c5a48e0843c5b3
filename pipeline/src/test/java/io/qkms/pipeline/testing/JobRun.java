package io.qkms.pipeline.testing;

import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.report.RunReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One run of the job in this JVM, with what it printed to stdout and to stderr kept apart. */
public record JobRun(ReKeyJob.Outcome outcome, String out, String err) {
  /** Runs the job with exactly {@code args} (the runner included, if any). */
  public static JobRun of(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ReKeyJob.Outcome o =
        ReKeyJob.run(
            args.toArray(new String[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new JobRun(
        o, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Runs the job with exactly {@code args}, stdout and stderr as one stream in {@link #out} (stderr
   * is empty), echoed to {@code System.out} too, where a test's captured logs are read.
   */
  public static JobRun echoed(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    ReKeyJob.Outcome o = ReKeyJob.run(args.toArray(new String[0]), ps, ps);
    String text = out.toString(StandardCharsets.UTF_8);
    System.out.print(text);
    return new JobRun(o, text, "");
  }

  public RunReport report() {
    return outcome.report();
  }

  public int exitCode() {
    return outcome.exitCode();
  }

  /** The first line on stderr, where a refusal names what was refused. */
  public String firstLine() {
    return err.lines().findFirst().orElse("");
  }
}
