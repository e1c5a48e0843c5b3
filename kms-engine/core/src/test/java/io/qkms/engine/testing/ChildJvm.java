package io.qkms.engine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM running one of the test mains on the test class path. Its output goes to a file, not a
 * pipe: when a child is killed, the JDK drains and closes the pipe under a reader that is blocked
 * in it, and lines the child had written could be lost; a file keeps every byte the child wrote.
 * Every wait is bounded; {@link #close()} kills what is still running.
 */
public final class ChildJvm implements AutoCloseable {
  private static final long POLL_MILLIS = 5;

  private final Process process;
  private final Path output;
  private int consumed; // lines already returned by awaitLine

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  public static ChildJvm start(Class<?> main, String... args) throws IOException {
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
    Path output = Files.createTempFile("qkms-child-", ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    return new ChildJvm(p, output);
  }

  /**
   * Waits for a line starting with {@code prefix} (after the lines earlier calls returned) and
   * returns it.
   *
   * @throws AssertionError if none came in time or the process ended first
   */
  public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (; ; ) {
      boolean ended = !process.isAlive();
      List<String> lines = completeLines();
      while (consumed < lines.size()) {
        String line = lines.get(consumed++);
        if (line.startsWith(prefix)) {
          return line;
        }
      }
      if (ended || System.nanoTime() > deadline) {
        throw new AssertionError(
            "No line starting with '" + prefix + "' within " + timeout + "; output: " + lines());
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Kills the process at once (SIGKILL) and waits for it to end. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(10));
  }

  /** Waits for the process to end; returns its exit status. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("The child did not end within " + timeout + "; output: " + lines());
    }
    return process.exitValue();
  }

  /** Every line written so far (the last one even without its line end, once the child ended). */
  public List<String> lines() {
    try {
      return List.copyOf(Files.readString(output, StandardCharsets.UTF_8).lines().toList());
    } catch (IOException e) {
      throw new AssertionError("Cannot read the child's output", e);
    }
  }

  /** Lines the child has finished writing (a line without its end may still be growing). */
  private List<String> completeLines() {
    try {
      String s = Files.readString(output, StandardCharsets.UTF_8);
      int end = s.lastIndexOf('\n');
      return end < 0 ? List.of() : s.substring(0, end).lines().toList();
    } catch (IOException e) {
      throw new AssertionError("Cannot read the child's output", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      if (process.isAlive()) {
        kill();
      }
    } finally {
      try {
        Files.deleteIfExists(output);
      } catch (IOException e) {
        // a temp file left behind is harmless
      }
    }
  }
}
