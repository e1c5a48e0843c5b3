package io.qkms.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the command line inside the test JVM: quick, for set-up steps and option details. */
final class InProcess {
  private InProcess() {}

  static CliProcess.Result qkms(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Qkms.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliProcess.Result(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a command that must succeed; returns its stdout, stripped. */
  static String ok(Map<String, String> env, String... args) {
    CliProcess.Result r = qkms(env, args);
    if (r.status() != 0) {
      throw new AssertionError("Set-up command failed: " + String.join(" ", args) + "\n" + r);
    }
    return r.out();
  }
}
