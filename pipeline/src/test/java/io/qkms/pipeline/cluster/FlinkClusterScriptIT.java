package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.pipeline.testing.Launcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/flink-cluster's own mistakes and failures, run as a user runs it: one line that says why,
 * the right exit code, no JVM left behind, the logs kept.
 */
class FlinkClusterScriptIT {
  @TempDir Path dir;

  Launcher.Result cluster(String... args) {
    return Launcher.run(
        "flink-cluster",
        List.of(args),
        Map.of("JAVA_HOME", Launcher.thisJavaHome()),
        dir,
        Duration.ofMinutes(5));
  }

  /**
   * A JobManager that cannot start says why in one line: the first error of its log and its cause,
   * not the shutdown that follows it (whose class-loading errors once hid the cause).
   */
  @Test
  void start_restPortTaken_isOneLineWithTheJobManagersFirstError() throws IOException {
    Path work = dir.resolve("cluster");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      Launcher.Result r =
          cluster(
              "start",
              "--work",
              work.toString(),
              "--rest-port",
              Integer.toString(port),
              "--timeout",
              "150");

      assertThat(r.toString(), r.exitCode(), equalTo(1));
      List<String> lines = List.of(r.stderr().split("\n"));
      assertThat(
          lines.get(lines.size() - 1),
          equalTo(
              "flink-cluster: jobmanager exited during start: Could not start cluster entrypoint"
                  + " StandaloneSessionClusterEntrypoint. (cause: java.net.BindException: Could not"
                  + " start rest endpoint on any port in port range "
                  + port
                  + ") (logs: "
                  + work.resolve("log")
                  + ")"));
      // Before it, at most the one-time note that the Flink class path is being resolved.
      assertThat(lines, everyItem(startsWith("flink-cluster: ")));
      assertThat(r.stderr(), not(org.hamcrest.Matchers.containsString("\tat ")));
      assertThat(r.stdout(), emptyString());
      assertThat(new FlinkCluster(work, Map.of()).processes(), equalTo(List.of()));
      assertThat(Files.size(work.resolve("log/jobmanager.log")) > 0, equalTo(true));
    }
  }

  @Test
  void mistakes_areOneLineAndExit2() {
    Launcher.Result unknown = cluster("start", "--tm", "2");
    assertThat(unknown.exitCode(), equalTo(2));
    assertThat(
        unknown.stderr(), equalTo("flink-cluster: unknown option --tm (--help shows the usage)\n"));

    Launcher.Result notANumber = cluster("start", "--slots", "two");
    assertThat(notANumber.exitCode(), equalTo(2));
    assertThat(
        notANumber.stderr(),
        equalTo("flink-cluster: not a number: two (--help shows the usage)\n"));

    Launcher.Result command = cluster("begin");
    assertThat(command.exitCode(), equalTo(2));
    assertThat(
        command.stderr(),
        equalTo("flink-cluster: unknown command begin (--help shows the usage)\n"));

    Launcher.Result none = cluster();
    assertThat(none.exitCode(), equalTo(2));
    assertThat(none.stderr(), endsWith("start, status or stop? (--help shows the usage)\n"));
  }
}
