package io.qkms.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar's start-up cache on the newest Java found (Java 25 here): made by the first job run
 * after a build (and only then), stored next to the jar, used by the runs after it, and never given
 * to the JVM once the jar is newer than it. On a Java without AOT caches, the launcher says there
 * is none. Runs the real launcher on the real jar, so it leaves a valid cache behind.
 */
class JobAotCacheIT {
  static final Duration RUN = Duration.ofMinutes(8);
  static final String MAKING = "rekey: making the Java ";

  @TempDir Path dir;

  @Test
  void cache_madeOnce_usedAfter_andNotGivenWhenTheJarIsNewer() throws Exception {
    String[] newest = newestJava();
    String version = newest[0];
    String home = newest[1];
    int feature = Runtime.Version.parse(version).feature();
    Path jar = jobJar();
    Path cache =
        jar.resolveSibling(
            jar.getFileName().toString().replace(".jar", ".java-" + version + ".aot"));
    Map<String, String> env =
        Map.of("JAVA_HOME", home, "QKMS_SAMPLES_WORK", dir.resolve("work").toString());

    if (feature < 25) {
      Launcher.Result v = Launcher.run("rekey", List.of("--version"), env, dir, RUN);
      assertThat(
          v.stdout(),
          containsString(
              "start-up cache: none (Java "
                  + feature
                  + " has none; Java 25 or newer makes one)\n"));
      return;
    }
    Files.deleteIfExists(cache);
    Files.deleteIfExists(Path.of(cache + ".log"));
    FileTime built = Files.getLastModifiedTime(jar);
    try {
      // No job, no cache: --help stays quick.
      Launcher.Result help = Launcher.run("rekey", List.of("--help"), env, dir, RUN);
      assertThat(help.stderr(), not(containsString(MAKING)));
      assertThat(Files.exists(cache), equalTo(false));

      Launcher.Result first = Launcher.run("rekey", List.of("--samples"), env, dir, RUN);
      assertThat(first.toString(), first.exitCode(), equalTo(0));
      assertThat(
          first.stderr(),
          containsString(MAKING + feature + " start-up cache for the job (once per build;"));
      assertThat(Files.size(cache) > 1_000_000, equalTo(true));
      assertThat(leftovers(jar.getParent()), equalTo(List.of()));

      Launcher.Result version1 = Launcher.run("rekey", List.of("--version"), env, dir, RUN);
      assertThat(version1.stdout(), containsString("start-up cache: " + cache + "\n"));

      // The next run maps it (the JVM's own log, to a file of the test's) and makes none.
      Path aotLog = dir.resolve("aot.log");
      Launcher.Result second =
          Launcher.run(
              "rekey",
              List.of("--samples"),
              with(env, "JAVA_OPTS", "-Xlog:aot=info:file=" + aotLog),
              dir,
              RUN);
      assertThat(second.toString(), second.exitCode(), equalTo(0));
      assertThat(second.stderr(), not(containsString(MAKING)));
      // Nothing from the JVM about the libraries' native or Unsafe access on this Java either.
      assertThat(second.stderr(), not(containsString("WARNING")));
      String mapped = Files.readString(aotLog, StandardCharsets.UTF_8);
      assertThat(mapped, containsString("Opened AOT cache " + cache));
      assertThat(mapped, not(containsString("[error")));

      // A newer jar: the cache is not given to the JVM (which would refuse it anyway).
      Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
      Launcher.Result version2 = Launcher.run("rekey", List.of("--version"), env, dir, RUN);
      assertThat(
          version2.stdout(),
          containsString("start-up cache: none yet (the next job run makes it)\n"));
      Path staleLog = dir.resolve("stale.log");
      Launcher.Result stale =
          Launcher.run(
              "rekey",
              List.of("--help"),
              with(env, "JAVA_OPTS", "-Xlog:aot=info:file=" + staleLog),
              dir,
              RUN);
      assertThat(stale.exitCode(), equalTo(0));
      assertThat(
          Files.readString(staleLog, StandardCharsets.UTF_8),
          not(containsString("Opened AOT cache")));
    } finally {
      // The jar as it was built: the cache made above matches it again.
      Files.setLastModifiedTime(jar, built);
    }
  }

  /** Files a training run may leave beside the jar if it goes wrong (partial caches, configs). */
  static List<String> leftovers(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tmp") || n.endsWith(".config") || n.endsWith(".aot.log"))
          .toList();
    }
  }

  static Map<String, String> with(Map<String, String> env, String k, String v) {
    Map<String, String> m = new java.util.HashMap<>(env);
    m.put(k, v);
    return m;
  }

  static Path jobJar() throws IOException {
    try (Stream<Path> s = Files.list(Launcher.ROOT.resolve("pipeline/target"))) {
      return s.filter(p -> p.getFileName().toString().matches("qkms-pipeline-.*-job\\.jar"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no job jar in pipeline/target"));
    }
  }

  /** {version, home} of the newest Java the launchers find. */
  static String[] newestJava() throws Exception {
    Process p =
        new ProcessBuilder(
                "bash",
                "-c",
                "source \"$0\" && qkms_newest_java",
                Launcher.ROOT.resolve("scripts/lib/launcher.sh").toString())
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS), equalTo(true));
    return out.split(" ", 2);
  }
}
