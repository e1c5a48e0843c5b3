package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a client that has not authenticated can hold: no memory for a body before the signature's
 * headers check out, no more than it has sent, within a budget; a few connections per address; a
 * few seconds to authenticate. Attackers connect from other loopback addresses (127.0.0.2 and up)
 * than the signed client (127.0.0.1), as the per-address limit tells them apart.
 */
@Timeout(60)
class UnauthenticatedClientsTest {
  private static final int PER_ADDRESS = 8;
  private static final Duration DEADLINE = Duration.ofSeconds(6);
  private static final long BUDGET = 200_000;
  private static final byte[] LIST_KEYS = "{}".getBytes(StandardCharsets.UTF_8);

  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    endpoint =
        TestEndpoint.start(
            Clock.systemUTC(),
            b ->
                b.maxConnections(256)
                    .maxConnectionsPerAddress(PER_ADDRESS)
                    .authenticationDeadline(DEADLINE)
                    .maxUnauthenticatedBytes(BUDGET));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  private static Socket connect(String sourceAddress) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(sourceAddress, 0));
    s.connect(new InetSocketAddress("127.0.0.1", endpoint.server.port()), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Whether the server closes {@code s} within {@code within} (reading, sending nothing). */
  private static boolean closedWithin(Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    try {
      InputStream in = s.getInputStream();
      while (in.read() != -1) {
        // a response the server sent before closing
      }
      return true;
    } catch (SocketException e) {
      return true; // reset
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private static void assertSignedClientIsServed() {
    HttpResponse<String> r = endpoint.call("ListKeys", "{}");
    assertThat(r.body(), r.statusCode(), equalTo(200));
  }

  @Test
  void unknownAccessKey_isRefusedBeforeTheBodyArrives_andTheConnectionCloses() throws Exception {
    byte[] body = new byte[200_000];
    Map<String, String> headers =
        endpoint.signPost(
            TestEndpoint.kmsHeaders("ListKeys"),
            body,
            "AKIAIOSFODNN7EXAMPLE",
            endpoint.rootKey.secretAccessKey(),
            "us-east-1",
            Instant.now());
    byte[] head = RawHttp.head(endpoint, headers, body.length, true);

    try (Socket s = connect("127.0.0.2")) {
      s.getOutputStream().write(head);
      s.getOutputStream().flush();
      RawHttp.Response r = RawHttp.read(s); // no body sent: an answer now, not at a timeout

      assertThat(r.body(), r.status(), equalTo(400));
      assertThat(r.body(), containsString("UnrecognizedClientException"));
      assertThat(r.headers().get("connection"), equalTo("close"));
    }
  }

  @Test
  void announcedBody_holdsOnlyWhatHasArrived() throws Exception {
    byte[] body = new byte[250_000];
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        Socket s = connect("127.0.0.3");
        held.add(s);
        OutputStream out = s.getOutputStream();
        out.write(RawHttp.signedHead(endpoint, "ListKeys", body, Instant.now(), true));
        out.write(new byte[] {'{'}); // one byte of the 250,000 announced
        out.flush();
      }
      long expected = 6L * KmsHandler.INITIAL_BODY_BYTES;
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (endpoint.server.unauthenticatedBodyBytes() < expected
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }

      // Before: 6 x 250,000 bytes allocated as the headers arrived.
      assertThat(endpoint.server.unauthenticatedBodyBytes(), equalTo(expected));
      assertSignedClientIsServed();
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
    awaitBudgetReturned();
  }

  @Test
  void bodiesBeyondTheBudget_areServiceUnavailable_andTheBudgetIsReturned() throws Exception {
    byte[] body = new byte[250_000];
    try (Socket s = connect("127.0.0.4")) {
      OutputStream out = s.getOutputStream();
      out.write(RawHttp.signedHead(endpoint, "ListKeys", body, Instant.now(), true));
      out.write(body, 0, 200_000); // more than the 200,000-byte budget, once the array grows
      out.flush();
      RawHttp.Response r = RawHttp.read(s);

      assertThat(r.body(), r.status(), equalTo(503));
      assertThat(r.body(), containsString("ServiceUnavailableException"));
      assertThat(r.headers().get("connection"), equalTo("close"));
    }
    awaitBudgetReturned();
    assertSignedClientIsServed();
  }

  private static void awaitBudgetReturned() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (endpoint.server.unauthenticatedBodyBytes() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(endpoint.server.unauthenticatedBodyBytes(), equalTo(0L));
  }

  @Test
  void connectionsBeyondThePerAddressLimit_closeAtOnce_whileASignedClientIsServed()
      throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < PER_ADDRESS; i++) {
        Socket s = connect("127.0.0.5");
        s.getOutputStream()
            .write("POST / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8));
        held.add(s);
      }
      Thread.sleep(1_000); // the server has accepted them (a loaded machine accepts late)
      int closedAtOnce = 0;
      for (int i = 0; i < 10; i++) {
        try (Socket s = connect("127.0.0.5")) {
          if (closedWithin(s, Duration.ofSeconds(1))) {
            closedAtOnce++;
          }
        }
        assertSignedClientIsServed();
      }

      assertThat(closedAtOnce, equalTo(10));
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void connectionsThatClosed_giveTheirPlaceBack_soTheLimitCountsOnlyOpenOnes() throws Exception {
    // More connections over time than the limit, never more at once: each closes before the next.
    for (int i = 0; i < PER_ADDRESS * 3; i++) {
      try (Socket s = connect("127.0.0.7")) {
        s.getOutputStream().write("POST / HTTP/1.1\r\n".getBytes(StandardCharsets.UTF_8));
      }
    }
    Thread.sleep(500); // the server has seen them close

    try (Socket s = connect("127.0.0.7")) {
      assertThat(closedWithin(s, Duration.ofSeconds(1)), equalTo(false));
    }
    assertSignedClientIsServed();
  }

  @Test
  void headerTrickler_isClosedAtTheDeadline_whileASignedClientIsServed() throws Exception {
    byte[] head = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ".getBytes(StandardCharsets.UTF_8);
    List<Socket> tricklers = new ArrayList<>();
    for (int i = 0; i < PER_ADDRESS; i++) {
      tricklers.add(connect("127.0.0.6"));
    }
    long start = System.nanoTime();
    int sent = 0;
    boolean allClosed = false;
    try {
      while (!allClosed && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
        allClosed = true;
        for (Socket s : tricklers) {
          try {
            // A byte every 250 ms: Jetty's idle timeout alone never fires.
            s.getOutputStream().write(sent < head.length ? head[sent] : 'a');
            s.getOutputStream().flush();
            allClosed &= closedWithin(s, Duration.ofMillis(1));
          } catch (IOException e) {
            // closed: writing to it fails
          }
        }
        sent++;
        assertSignedClientIsServed();
        Thread.sleep(250);
      }
      long elapsed = System.nanoTime() - start;

      assertThat(allClosed, equalTo(true));
      assertThat(elapsed, greaterThanOrEqualTo(DEADLINE.toNanos()));
      assertThat(elapsed, lessThan(DEADLINE.plusSeconds(5).toNanos()));
    } finally {
      for (Socket s : tricklers) {
        s.close();
      }
    }
  }

  @Test
  void authenticatedConnection_outlivesTheDeadline() throws Exception {
    try (Socket s = connect("127.0.0.1")) {
      OutputStream out = s.getOutputStream();
      out.write(RawHttp.signedHead(endpoint, "ListKeys", LIST_KEYS, Instant.now(), true));
      out.write(LIST_KEYS);
      out.flush();
      assertThat(RawHttp.read(s).status(), equalTo(200));

      Thread.sleep(DEADLINE.plusSeconds(1).toMillis());
      out.write(RawHttp.signedHead(endpoint, "ListKeys", LIST_KEYS, Instant.now(), true));
      out.write(LIST_KEYS);
      out.flush();

      assertThat(RawHttp.read(s).status(), equalTo(200));
    }
  }
}
