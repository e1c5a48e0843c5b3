package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that cannot be signed (two 3.5 KB Host headers) must not each cost kilobytes of server
 * log: Jetty's warnings about bad requests are summarised, not printed per request.
 */
@Timeout(120)
class ServeLogAmplificationTest {
  private static final int REQUESTS = 50;

  @TempDir static Path dir;
  private static ServeProcess server;

  @BeforeAll
  static void start() throws Exception {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    server = ServeProcess.start(ks, "--access-log", "none");
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop();
    }
  }

  private static String badRequest() {
    String big = "h".repeat(3500);
    return "POST / HTTP/1.1\r\nHost: "
        + big
        + "\r\nHost: "
        + big
        + "\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target:"
        + " TrentService.ListKeys\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  }

  @Test
  void badRequestsWithHugeDuplicateHostHeaders_costAFewBytesOfLogEach() throws Exception {
    List<String> statuses = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      try (Socket s = new Socket("127.0.0.1", server.endpoint().getPort())) {
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        out.write(badRequest().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        in.transferTo(got);
        String reply = got.toString(StandardCharsets.US_ASCII);
        statuses.add(reply.isEmpty() ? "(closed)" : reply.substring(0, reply.indexOf('\r')));
      }
    }
    assertThat(server.stop(), equalTo(143));
    long logBytes = 0;
    List<String> lines = new ArrayList<>();
    server.stderr().drainTo(lines);
    for (String l : lines) {
      logBytes += l.length() + 1;
    }
    for (String st : statuses) {
      assertThat(st, startsWith("HTTP/1.1 400"));
    }
    // Before: ~7 KB a request (the headers echoed in each WARN). A summary line every few seconds
    // is allowed, and the stop message.
    assertThat(String.join("\n", lines), logBytes / REQUESTS, lessThan(40L));
    // ... and they are not hidden: a summary says how many there were.
    assertThat(
        lines.stream().filter(l -> l.contains("Requests Jetty refused as malformed")).count(),
        equalTo(1L));
  }
}
