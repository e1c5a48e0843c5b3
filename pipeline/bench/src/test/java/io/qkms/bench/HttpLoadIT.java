package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.testing.Launcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against a real {@code qkms serve} (started with scripts/qkms): only 200
 * replies count, and a server that goes away mid-run turns into counted errors and exit code 1,
 * with the requests done before it still counted.
 */
class HttpLoadIT {
  @TempDir Path dir;

  /** A fresh key store and `qkms serve` on a free loopback port. */
  private Process serve(Path ks, int port, String... more) throws Exception {
    Map<String, String> env = Map.of("JAVA_HOME", Launcher.thisJavaHome());
    Launcher.Result init =
        Launcher.run(
            "qkms", List.of("init", "--keystore", ks.toString()), env, dir, Duration.ofMinutes(5));
    assertThat(init.toString(), init.exitCode(), equalTo(0));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash",
                Launcher.ROOT.resolve("scripts/qkms").toString(),
                "serve",
                "--keystore",
                ks.toString(),
                "--port",
                Integer.toString(port),
                "--access-log",
                "none"));
    cmd.addAll(List.of(more));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("serve-" + port + ".log").toFile());
    pb.environment().putAll(env);
    Process server = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return server;
      } catch (IOException e) {
        assertThat("qkms serve exited", server.isAlive(), equalTo(true));
        Thread.sleep(100);
      }
    }
    server.destroyForcibly();
    throw new AssertionError("qkms serve did not listen on " + port);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Map<String, Double> load(
      Path ks, int port, int seconds, ByteArrayOutputStream out, int[] code) throws IOException {
    code[0] =
        HttpLoad.run(
            new String[] {
              "--credentials",
              ks.resolve("credentials").toString(),
              "--endpoint",
              "http://127.0.0.1:" + port,
              "--clients",
              "4",
              "--seconds",
              Integer.toString(seconds),
              "--warmup",
              "0",
              "--lines"
            },
            new PrintStream(out, true, StandardCharsets.UTF_8));
    return Bench.lines(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void run_healthyServer_countsItsReplies_noErrors() throws Exception {
    Path ks = dir.resolve("ks");
    int port = freePort();
    Process server = serve(ks, port);
    try {
      int[] code = new int[1];
      Map<String, Double> m = load(ks, port, 2, new ByteArrayOutputStream(), code);

      assertThat(code[0], equalTo(0));
      assertThat(m.get("errors"), equalTo(0.0));
      assertThat(m.get("requests_ok"), greaterThan(10.0));
      assertThat(m.get("req_per_s"), equalTo(m.get("requests_ok") / 2));
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void run_serverGoneMidRun_countsTheErrors_keepsWhatWasDone_andExits1() throws Exception {
    Path ks = dir.resolve("ks2");
    int port = freePort();
    Process server = serve(ks, port);
    // A first run warms the server up, so that the second is well under way when it stops.
    int[] warm = new int[1];
    load(ks, port, 1, new ByteArrayOutputStream(), warm);
    assertThat(warm[0], equalTo(0));
    Thread stopper =
        new Thread(
            () -> {
              try {
                Thread.sleep(2_500);
                server.descendants().forEach(ProcessHandle::destroy);
                server.destroy();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    stopper.start();
    try {
      int[] code = new int[1];
      Map<String, Double> m = load(ks, port, 5, new ByteArrayOutputStream(), code);

      assertThat(code[0], equalTo(1));
      assertThat(m.get("errors"), greaterThan(0.0));
      assertThat(m.get("requests_ok"), greaterThan(10.0));
    } finally {
      stopper.join();
      server.destroyForcibly();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void https_onConscryptsTlsAndOnTheJdks_countsItsReplies_noErrors() throws Exception {
    Path ks = dir.resolve("ks3");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Map<String, String> env = Map.of("JAVA_HOME", Launcher.thisJavaHome());
    Launcher.Result made =
        Launcher.run(
            "qkms",
            List.of("tls-cert", "--cert", cert.toString(), "--key", key.toString()),
            env,
            dir,
            Duration.ofMinutes(5));
    assertThat(made.toString(), made.exitCode(), equalTo(0));
    int port = freePort();
    Process server = serve(ks, port, "--tls-cert", cert.toString(), "--tls-key", key.toString());
    try {
      for (String tls : List.of("conscrypt", "jdk")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code =
            HttpLoad.run(
                new String[] {
                  "--credentials",
                  ks.resolve("credentials").toString(),
                  "--endpoint",
                  "https://127.0.0.1:" + port,
                  "--ca-bundle",
                  cert.toString(),
                  "--tls",
                  tls,
                  "--clients",
                  "4",
                  "--seconds",
                  "1",
                  "--warmup",
                  "0",
                  "--lines"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8));
        Map<String, Double> m = Bench.lines(out.toString(StandardCharsets.UTF_8));

        assertThat(tls, code, equalTo(0));
        assertThat(tls, m.get("errors"), equalTo(0.0));
        assertThat(tls, m.get("requests_ok"), greaterThan(10.0));
      }
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void tlsOfNoKnownName_orForPlainHttp_isAUsageError() throws Exception {
    Path credentials = Files.writeString(dir.resolve("credentials"), "[qkms]\n"); // not read
    Path pem = Files.writeString(dir.resolve("any.pem"), "");
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HttpLoad.run(
                    new String[] {
                      "--credentials",
                      credentials.toString(),
                      "--endpoint",
                      "https://127.0.0.1:1",
                      "--ca-bundle",
                      pem.toString(),
                      "--tls",
                      "openssl"
                    },
                    System.out));
    assertThat(unknown.getMessage(), equalTo("--tls openssl: give conscrypt or jdk"));
    IllegalArgumentException plain =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HttpLoad.run(
                    new String[] {
                      "--credentials", credentials.toString(),
                      "--endpoint", "http://127.0.0.1:1",
                      "--tls", "jdk"
                    },
                    System.out));
    assertThat(plain.getMessage(), equalTo("--tls applies to an https:// endpoint"));
  }
}
