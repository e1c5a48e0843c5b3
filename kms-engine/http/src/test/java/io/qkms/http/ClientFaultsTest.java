package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's own mistakes are 4xx with their meaning, not 500 KMSInternalException: a body that
 * stops arriving (or never comes after {@code Expect: 100-continue}) is 408 at the body timeout (1
 * s here), long before the idle timeout (60 s) or the authentication deadline (10 s); a request
 * line of another HTTP version is 400.
 */
@Timeout(60)
class ClientFaultsTest {
  private static final byte[] BODY = new byte[100];

  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    endpoint =
        TestEndpoint.start(
            Clock.systemUTC(),
            b -> b.idleTimeout(Duration.ofSeconds(60)).bodyTimeout(Duration.ofSeconds(1)));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  private static Socket connect() throws Exception {
    Socket s = new Socket("127.0.0.1", endpoint.server.port());
    s.setSoTimeout(15_000);
    return s;
  }

  @Test
  void bodyThatStopsArriving_isRequestTimeout408() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(RawHttp.signedHead(endpoint, "ListKeys", BODY, Instant.now(), true));
      out.write(BODY, 0, 10);
      out.flush();
      long start = System.nanoTime();

      RawHttp.Response r = RawHttp.read(s);

      assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(8)));

      assertThat(r.body(), r.status(), equalTo(408));
      assertThat(r.body(), containsString("\"__type\":\"RequestTimeoutException\""));
    }
  }

  @Test
  void expect100ContinueWithoutTheBody_isRequestTimeout408() throws Exception {
    String head =
        new String(
            RawHttp.signedHead(endpoint, "ListKeys", BODY, Instant.now(), true),
            StandardCharsets.US_ASCII);
    head = head.substring(0, head.length() - 2) + "Expect: 100-continue\r\n\r\n";
    try (Socket s = connect()) {
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      long start = System.nanoTime();

      RawHttp.Response r = RawHttp.read(s);
      if (r.status() == 100) {
        r = RawHttp.read(s);
      }

      assertThat(Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(8)));

      assertThat(r.body(), r.status(), equalTo(408));
      assertThat(r.body(), containsString("\"__type\":\"RequestTimeoutException\""));
    }
  }

  @Test
  void anotherHttpVersion_isMalformedHttpRequest400() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream()
          .write("POST / HTTP/0.9\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();

      RawHttp.Response r = RawHttp.read(s);

      assertThat(r.body(), r.status(), equalTo(400));
      assertThat(r.body(), containsString("\"__type\":\"MalformedHttpRequestException\""));
    }
  }
}
