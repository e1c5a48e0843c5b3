package io.qkms.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the command line in a new JVM (the test class path, main class {@link Qkms}) or through
 * {@code scripts/qkms}, with a clean QKMS environment, and collects its exit status and output.
 * Every run is bounded.
 */
final class CliProcess {
  private static final long TIMEOUT_SECONDS = 60;

  /** What a run produced. */
  record Result(int status, String stdout, String stderr) {
    /** The stdout without its final line end. */
    String out() {
      return stdout.strip();
    }

    @Override
    public String toString() {
      return "exit " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  private CliProcess() {}

  /** {@code java ... io.qkms.cli.Qkms args}. */
  static Result qkms(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Qkms.class.getName());
    cmd.addAll(List.of(args));
    return run(cmd, env);
  }

  /** {@code bash scripts/qkms args}, running the test class path (no build). */
  static Result script(Path script, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(script.toString());
    cmd.addAll(List.of(args));
    Map<String, String> e = new HashMap<>(env);
    e.put("QKMS_CLASSPATH", System.getProperty("java.class.path"));
    e.put("JAVA_HOME", System.getProperty("java.home"));
    return run(cmd, e);
  }

  private static Result run(List<String> cmd, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("QKMS_"));
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("qkms did not finish within " + TIMEOUT_SECONDS + " s: " + cmd);
      }
      return new Result(
          p.exitValue(),
          out.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
          err.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } catch (IOException | InterruptedException | ExecutionException | TimeoutException e) {
      throw new AssertionError("Running " + cmd + " failed", e);
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
