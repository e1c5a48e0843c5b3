package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM options the launchers give the job ({@code qkms_java_opts} in scripts/lib/jobjar.sh). */
class JobJvmOptionsTest {
  private static final Path JOBJAR =
      Path.of(System.getProperty("basedir", ".")).resolve("../scripts/lib/jobjar.sh").normalize();

  private static String javaOpts(String javaOptsEnv, String... jobArgs)
      throws IOException, InterruptedException {
    return javaOptsOn(null, javaOptsEnv, jobArgs);
  }

  /** qkms_java_opts, for the Java in {@code javaHome} (null: none chosen). */
  private static String javaOptsOn(String javaHome, String javaOptsEnv, String... jobArgs)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash",
            "-c",
            "source \"$0\" && if [[ -n \"${JAVA_HOME:-}\" ]]; then qkms_java; fi"
                + " && qkms_java_opts \"$@\"",
            JOBJAR.toString());
    pb.command().addAll(List.of(jobArgs));
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("JAVA_HOME");
    if (javaHome != null) {
      pb.environment().put("JAVA_HOME", javaHome);
    }
    if (javaOptsEnv != null) {
      pb.environment().put("JAVA_OPTS", javaOptsEnv);
    }
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("qkms_java_opts did not finish");
    }
    assertThat(out, p.exitValue(), equalTo(0));
    return " " + out.trim() + " ";
  }

  @Test
  void flink_getsTheOpens_parallelGc_andLateC2() throws Exception {
    String opts = javaOpts(null, "--runner=FlinkRunner");
    assertThat(opts, containsString(" --add-opens=java.base/java.util=ALL-UNNAMED "));
    assertThat(opts, containsString(" --add-opens=java.base/java.lang=ALL-UNNAMED "));
    assertThat(opts, containsString(" --add-opens=java.base/java.nio=ALL-UNNAMED "));
    assertThat(opts, containsString(" -XX:+UseParallelGC "));
    assertThat(opts, containsString(" -XX:Tier4InvocationThreshold=50000 "));
    assertThat(opts, containsString(" -XX:Tier4MinInvocationThreshold=6000 "));
    assertThat(opts, containsString(" -XX:Tier4CompileThreshold=150000 "));
    assertThat(opts, containsString(" -XX:Tier4BackEdgeThreshold=400000 "));
  }

  @Test
  void directRunner_staysOnTheDefaultCollector() throws Exception {
    String opts = javaOpts(null, "--runner=DirectRunner");
    assertThat(opts, not(containsString("UseParallelGC")));
    assertThat(opts, containsString(" -XX:Tier4InvocationThreshold=50000 "));
  }

  @Test
  void javaOpts_choosingTheirOwn_win() throws Exception {
    String opts =
        javaOpts("-XX:+UseG1GC -XX:Tier4InvocationThreshold=5000", "--runner=FlinkRunner");
    assertThat(opts, not(containsString("UseParallelGC")));
    assertThat(opts, not(containsString("Tier4CompileThreshold")));
    assertThat(opts, containsString(" -XX:+UseG1GC -XX:Tier4InvocationThreshold=5000 "));
  }

  /**
   * On the newest Java found (the launchers' choice without JAVA_HOME), the options include what
   * keeps Java 24 and newer quiet about the libraries' native and Unsafe access, and that Java
   * accepts them all.
   */
  @Test
  void options_onTheNewestJava_areAcceptedByIt() throws Exception {
    Process which =
        new ProcessBuilder("bash", "-c", "source \"$0\" && qkms_newest_java", JOBJAR.toString())
            .start();
    String newest =
        new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(which.waitFor(30, TimeUnit.SECONDS), equalTo(true));
    String home = newest.substring(newest.indexOf(' ') + 1);
    int feature = Runtime.Version.parse(newest.substring(0, newest.indexOf(' '))).feature();

    String opts = javaOptsOn(home, null, "--runner=FlinkRunner").trim();

    if (feature >= 24) {
      assertThat(opts, containsString("--enable-native-access=ALL-UNNAMED"));
      assertThat(opts, containsString("--sun-misc-unsafe-memory-access=allow"));
    } else {
      assertThat(opts, not(containsString("--sun-misc-unsafe-memory-access")));
    }
    assertAcceptedBy(home, opts);
  }

  /** The options are ones this JVM accepts (a typo would stop every job at start). */
  @Test
  void options_areAcceptedByTheJvm() throws Exception {
    String opts = javaOpts(null, "--runner=FlinkRunner").trim();
    assertAcceptedBy(System.getProperty("java.home"), opts);
  }

  /** {@code java -version} of the JDK at {@code home} with {@code opts} exits 0 within 30 s. */
  private static void assertAcceptedBy(String home, String opts) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(home, "bin", "java").toString());
    cmd.addAll(List.of(opts.split("\\s+")));
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS), equalTo(true));
    assertThat(out, p.exitValue(), equalTo(0));
  }
}
