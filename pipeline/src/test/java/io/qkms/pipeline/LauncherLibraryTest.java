package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.Launcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' shared library, scripts/lib/launcher.sh: which Java they choose, what a failed
 * build says, the usage text, the ports they pick. Each case runs bash as the launchers do.
 */
class LauncherLibraryTest {
  static final Path LIB = Launcher.ROOT.resolve("scripts/lib/launcher.sh");

  @TempDir Path dir;

  /** Runs {@code source launcher.sh; SCRIPT} in bash; stdout, stderr and the exit code. */
  static Launcher.Result bash(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash", "-c", "set -euo pipefail; source \"$0\"; " + script, LIB.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("QKMS_") || k.equals("JAVA_HOME"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile("lib-", ".out");
    Path err = Files.createTempFile("lib-", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("bash did not finish: " + script);
      }
      return new Launcher.Result(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.delete(out);
      Files.delete(err);
    }
  }

  static Launcher.Result bash(String script) throws Exception {
    return bash(script, Map.of());
  }

  @Test
  void java_javaHomeSet_isTheOneUsed() throws Exception {
    Launcher.Result r =
        bash(
            "qkms_java; echo \"$QKMS_JAVA|$QKMS_JAVA_CHOSEN_BY|$QKMS_JAVA_FEATURE\"",
            Map.of("JAVA_HOME", Launcher.thisJavaHome()));

    assertThat(r.toString(), r.exitCode(), equalTo(0));
    Path home = Path.of(Launcher.thisJavaHome()).toRealPath();
    assertThat(
        r.stdout(),
        equalTo(home.resolve("bin/java") + "|JAVA_HOME|" + Runtime.version().feature() + "\n"));
  }

  @Test
  void java_noJavaHome_isTheNewestJava17OrNewerFound() throws Exception {
    Launcher.Result list = bash("qkms_java_installations");
    Launcher.Result chosen =
        bash("qkms_java; echo \"$QKMS_JAVA_VERSION $QKMS_JAVA_HOME $QKMS_JAVA_CHOSEN_BY\"");

    assertThat(chosen.toString(), chosen.exitCode(), equalTo(0));
    String newest = null;
    for (String line : list.stdout().split("\n")) {
      String version = line.split(" ")[0];
      if (Runtime.Version.parse(version).feature() >= 17
          && (newest == null
              || Runtime.Version.parse(version)
                      .compareTo(Runtime.Version.parse(newest.split(" ")[0]))
                  > 0)) {
        newest = line;
      }
    }
    assertThat(list.stdout(), newest == null, equalTo(false));
    assertThat(chosen.stdout(), equalTo(newest + " newest\n"));
    // This JVM is one of the installations, so the newest is at least as new.
    assertThat(
        Runtime.Version.parse(newest.split(" ")[0]).feature(),
        greaterThanOrEqualTo(Runtime.version().feature()));
  }

  @Test
  void javaNewer_comparesVersionsPartByPart() throws Exception {
    Launcher.Result r =
        bash(
            "for p in '25.0.10 25.0.9' '25 17.0.15' '17.0.15 25' '21.0.1 21.0.1' '17.0.2+8 17.0.1';"
                + " do qkms_java_newer $p && echo yes || echo no; done");

    assertThat(r.stdout(), equalTo("yes\nyes\nno\nno\nyes\n"));
  }

  /** A wrong JAVA_HOME stops a launcher with one line, not a JVM's error or a stack trace. */
  @Test
  void rekey_javaHomeWithoutJava_isOneLineAndExit1() {
    Launcher.Result r =
        Launcher.run(
            "rekey",
            List.of("--version"),
            Map.of("JAVA_HOME", dir.toString()),
            dir,
            Duration.ofMinutes(1));

    assertThat(r.exitCode(), equalTo(1));
    assertThat(
        r.stderr(),
        equalTo(
            "rekey: JAVA_HOME="
                + dir
                + " holds no bin/java; point it at a Java 17 or newer, or unset it\n"));
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void usage_isTheScriptsHeaderComment() throws IOException {
    Launcher.Result r =
        Launcher.run("samples", List.of("--help"), Map.of(), dir, Duration.ofMinutes(1));

    List<String> header = new ArrayList<>();
    List<String> lines = Files.readAllLines(Launcher.ROOT.resolve("scripts/samples"));
    for (String l : lines.subList(1, lines.size())) {
      if (!l.startsWith("#")) {
        break;
      }
      header.add(l.replaceFirst("^# ?", ""));
    }
    assertThat(r.exitCode(), equalTo(0));
    assertThat(r.stdout(), equalTo(header.stream().collect(Collectors.joining("\n", "", "\n"))));
    assertThat(r.stdout(), containsString("scripts/samples init | demo | walkthrough"));
  }

  /**
   * A failed build says so in two lines: the first error of the build (not Maven's advice that
   * follows it) and where the whole log is; the log holds no terminal escape codes.
   */
  @Test
  void build_failing_namesTheFirstError_andLogsWithoutEscapeCodes() throws Exception {
    Path project = dir.resolve("broken");
    Files.createDirectories(project.resolve("src/main/java/x"));
    Files.writeString(
        project.resolve("pom.xml"),
        """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <parent>
            <groupId>io.qkms</groupId>
            <artifactId>qkms-parent</artifactId>
            <version>0.1.0-SNAPSHOT</version>
            <relativePath>%s</relativePath>
          </parent>
          <artifactId>broken</artifactId>
        </project>
        """
            // Relative: Maven resolves even an absolute relativePath against the project's
            // folder, and would then look for the parent in ~/.m2, where it may not be.
            .formatted(project.relativize(Launcher.ROOT.resolve("pom.xml"))));
    Files.writeString(
        project.resolve("src/main/java/x/Broken.java"), "package x; class Broken { int x = ; }\n");
    Path log = dir.resolve("build.log");
    Map<String, String> env =
        new HashMap<>(Map.of("QKMS_POM", project.resolve("pom.xml").toString()));

    Launcher.Result r = bash("qkms_build 'the broken project' " + log + " compile", env);

    assertThat(r.exitCode(), equalTo(1));
    String[] err = r.stderr().split("\n");
    assertThat(r.stderr(), err.length, equalTo(3));
    assertThat(err[0], containsString("building the broken project (first use"));
    assertThat(
        err[1],
        matchesPattern(
            "launcher\\.sh: the build of the broken project failed: .*Broken\\.java:\\[1,.*\\] illegal"
                + " start of expression"));
    assertThat(err[2], equalTo("launcher.sh: the build's log: " + log));
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(text, containsString("Compilation failure"));
    assertThat(text, not(containsString("\u001b")));
  }

  @Test
  void freePort_isFreeAndBelowTheEphemeralRange() throws Exception {
    String range;
    // A stream, not Files.readString: /proc files report a size of 0.
    try (java.io.InputStream in =
        Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    }
    int low = Integer.parseInt(range.split("\\s+")[0]);

    for (int i = 0; i < 20; i++) {
      Launcher.Result r = bash("qkms_free_port");
      int port = Integer.parseInt(r.stdout().strip());
      assertThat(port, greaterThanOrEqualTo(10_000));
      assertThat(port, lessThan(low));
      try (java.net.ServerSocket s =
          new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort(), equalTo(port));
      }
    }
  }
}
