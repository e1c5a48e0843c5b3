package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.pipeline.testing.ListeningSockets;
import io.qkms.pipeline.testing.Samples;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Flink cluster of a run, attacked as a local user would: while the job runs, every
 * socket the job's JVM listens on is sent a REST request (job list, and a job submission) in plain
 * HTTP and over TLS without a client certificate. Neither may get an answer: the REST endpoint
 * accepts job submissions, i.e. code to run in the JVM that holds the key material.
 */
class EmbeddedClusterSecurityTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void samples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  /** What one probe of a listening socket got back: null if no HTTP answer. */
  record Answer(String probe, String statusLine) {
    /**
     * True if a handler answered. Flink's TLS endpoint redirects plain HTTP to https (301) before
     * any handler sees the request: that reveals nothing and runs nothing.
     */
    boolean answered() {
      return statusLine != null && !statusLine.matches("HTTP/1\\.[01] 30[17] .*");
    }
  }

  @Test
  void whileAJobRuns_noListeningSocketAnswersARestRequest_withoutTheRunsCertificate()
      throws Exception {
    Assumptions.assumeTrue(ListeningSockets.supported(), "needs Linux /proc to list sockets");
    Map<ListeningSockets.Listener, List<Answer>> answers = new ConcurrentHashMap<>();
    Set<ListeningSockets.Listener> before = ListeningSockets.now();
    Thread attacker =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  for (ListeningSockets.Listener l : ListeningSockets.now()) {
                    if (!before.contains(l) && !answers.containsKey(l)) {
                      answers.put(l, attack(l.port()));
                    }
                  }
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                } catch (IOException e) {
                  // /proc changed under us; sample again
                }
              }
            },
            "attacker");
    attacker.setDaemon(true);
    attacker.start();
    ReKeyJob.Outcome outcome;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      outcome =
          ReKeyJob.run(
              new String[] {
                "--runner=FlinkRunner",
                "--input=" + samples.data("customers.avro"),
                "--output=" + dir.resolve("run"),
                "--keystore=" + samples.keystore(),
                "--fields=" + Samples.FIELDS,
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--sourceEncryptionContext=" + Samples.TENANT_CONTEXT,
                "--destinationEncryptionContext=" + Samples.TENANT_CONTEXT
              },
              new PrintStream(out, true, StandardCharsets.UTF_8),
              System.err);
    } finally {
      attacker.interrupt();
      attacker.join(10_000);
    }
    assertThat(out.toString(StandardCharsets.UTF_8), outcome.exitCode(), is(0));
    // The REST endpoint and the BLOB server at least: seeing them shows the attack reached them.
    assertThat(answers.toString(), answers.size(), greaterThanOrEqualTo(2));
    List<Answer> answered = new ArrayList<>();
    answers.values().forEach(list -> list.stream().filter(Answer::answered).forEach(answered::add));
    assertThat(answered.toString(), answered, is(empty()));
  }

  /** A job list request in plain HTTP, then over TLS without a client certificate. */
  private static List<Answer> attack(int port) {
    String request = "GET /jobs/overview HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    List<Answer> out = new ArrayList<>();
    out.add(new Answer("plain", send(port, request, false)));
    out.add(new Answer("tls", send(port, request, true)));
    String submit =
        "POST /jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
    out.add(new Answer("plain submit", send(port, submit, false)));
    return out;
  }

  /** The HTTP status line the socket answered with, or null (closed, reset, handshake refused). */
  private static String send(int port, String request, boolean tls) {
    try (Socket s = tls ? tlsSocket(port) : new Socket()) {
      if (!tls) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      }
      s.setSoTimeout(1_500);
      OutputStream o = s.getOutputStream();
      o.write(request.getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      if (n <= 0) {
        return null;
      }
      String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
      return text.startsWith("HTTP/") ? text.lines().findFirst().orElse(text) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Socket tlsSocket(int port) throws IOException {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustEverything()}, null);
      SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      s.setSoTimeout(1_500);
      s.startHandshake();
      return s;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  /** The attacker accepts any server certificate: only the client certificate is missing. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  @Test
  void theTestsAttack_getsAnAnswerFromAnOpenRestEndpoint() throws Exception {
    // The probe itself must be able to see an answer, or the test above proves nothing.
    try (java.net.ServerSocket server = new java.net.ServerSocket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      Thread t =
          new Thread(
              () -> {
                try (Socket c = server.accept()) {
                  c.getInputStream().read(new byte[256]);
                  c.getOutputStream()
                      .write(
                          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
                              .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  // the test fails on its own
                }
              });
      t.start();
      assertThat(
          send(server.getLocalPort(), "GET / HTTP/1.1\r\n\r\n", false), startsWith("HTTP/1.1 200"));
      t.join(5_000);
    }
  }
}
