package io.qkms.engine.store.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running one of the test mains on the test class path, whose output lines are collected as
 * they come. Every wait is bounded; {@link #close()} kills what is still running.
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  private final Process process;
  private final LinkedBlockingQueue<String> pending = new LinkedBlockingQueue<>();
  private final List<String> all = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  all.add(line);
                  pending.add(line);
                }
              } catch (IOException e) {
                // the process died; what was read is kept
              } finally {
                pending.add(EOF);
              }
            },
            "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Quick start-up: these children live for a fraction of a second.
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
  }

  /**
   * Waits for a line starting with {@code prefix} and returns it.
   *
   * @throws AssertionError if none came in time or the process ended first
   */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (; ; ) {
      String line = pending.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals(EOF)) {
        throw new AssertionError(
            "No line starting with '" + prefix + "' within " + timeout + "; output: " + all);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Kills the process at once (SIGKILL) and waits for it and its output to end. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  /** Waits for the process to end; returns its exit status. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("The child did not end within " + timeout + "; output: " + all);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return process.exitValue();
  }

  /** Every line read so far. */
  List<String> lines() {
    return List.copyOf(all);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
