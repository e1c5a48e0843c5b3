package io.qkms.pipeline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the project's scripts run as a user would (bash, its own process), with a bounded wait;
 * stdout and stderr go to a file so that a long run cannot block on a full pipe.
 */
final class ScriptRun {
  /** The repository's root: the folder holding {@code scripts/}. */
  static final Path ROOT = findRoot();

  private final Process process;
  private final Path log;

  private ScriptRun(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code scripts/<script> args...} in {@code cwd}, with this JVM's environment less every
   * {@code QKMS_} variable, plus {@code env}.
   */
  static ScriptRun start(
      String script, List<String> args, Path cwd, Map<String, String> env, Path log) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(ROOT.resolve("scripts").resolve(script).toString());
    command.addAll(args);
    ProcessBuilder b = new ProcessBuilder(command).directory(cwd.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("QKMS_"));
    b.environment().putAll(env);
    b.redirectErrorStream(true).redirectOutput(log.toFile());
    try {
      return new ScriptRun(b.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs it to the end. */
  static ScriptRun run(
      String script,
      List<String> args,
      Path cwd,
      Map<String, String> env,
      Path log,
      Duration timeout) {
    ScriptRun r = start(script, args, cwd, env, log);
    r.await(timeout);
    return r;
  }

  /** Waits for the end; kills the script (not what it started) and fails on timeout. */
  ScriptRun await(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "scripts did not finish in " + timeout + "; output so far:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return this;
  }

  /** SIGKILLs the script's process (the launcher JVM, for scripts that exec it) and waits. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      throw new AssertionError("the killed script did not end");
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last non-empty line of the output. */
  String lastLine() {
    String[] lines = output().strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("scripts").resolve("flink-cluster"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "no scripts/flink-cluster above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
