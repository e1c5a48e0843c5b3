package io.qkms.pipeline.testing;

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
 * One of the project's launchers ({@code scripts/<name>}) run as a user runs it: bash, its own
 * process, this JVM's environment less every {@code QKMS_} variable and {@code JAVA_HOME}, plus
 * what the test gives; stdout and stderr apart (in files, so that a long run cannot block on a full
 * pipe), a bounded wait.
 */
public final class Launcher {
  /** The repository's root: the folder holding {@code scripts/}. */
  public static final Path ROOT = findRoot();

  /** What a run did. */
  public record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  private Launcher() {}

  /** {@code scripts/<script> args...} in {@code cwd}, with {@code env}, within {@code timeout}. */
  public static Result run(
      String script, List<String> args, Map<String, String> env, Path cwd, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(ROOT.resolve("scripts").resolve(script).toString());
    command.addAll(args);
    try {
      Path out = Files.createTempFile("launcher-", ".out");
      Path err = Files.createTempFile("launcher-", ".err");
      try {
        ProcessBuilder b =
            new ProcessBuilder(command)
                .directory(cwd.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        b.environment().keySet().removeIf(k -> k.startsWith("QKMS_") || k.equals("JAVA_HOME"));
        b.environment().putAll(env);
        Process p = b.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          throw new AssertionError(
              "scripts/"
                  + script
                  + " did not finish in "
                  + timeout
                  + "; stderr so far:\n"
                  + read(err));
        }
        return new Result(p.exitValue(), read(out), read(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The JAVA_HOME of the JVM running the tests (a launcher given it runs on the same Java). */
  public static String thisJavaHome() {
    return System.getProperty("java.home");
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  private static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null
        && !Files.isRegularFile(p.resolve("scripts").resolve("lib").resolve("launcher.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "no scripts/lib/launcher.sh above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
