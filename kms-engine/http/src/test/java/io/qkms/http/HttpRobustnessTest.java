package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.testing.MutableClock;
import io.qkms.engine.wire.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a careless or hostile client gets: 4xx with an AWS-style JSON error, a request ID and the
 * JSON 1.1 content type on every response, never a crash; and the server stays healthy after.
 */
@Timeout(30)
class HttpRobustnessTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final int MAX_BODY = 4096;
  private static final String UUID =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    endpoint = TestEndpoint.start(new MutableClock(NOW), b -> b.maxBodyBytes(MAX_BODY));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  @Test
  void everyOperationOfTheCatalogue_isServed_andLoggedByItsName() throws InterruptedException {
    for (Operation<?, ?> op : Operations.all()) {
      HttpResponse<String> r = endpoint.call(op.target(), "{}");
      assertThat(
          op.name() + ": " + r.body(), r.body().contains("UnknownOperation"), equalTo(false));
      String requestId = r.headers().firstValue("x-amzn-RequestId").orElseThrow();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (endpoint.accessLog.stream().noneMatch(l -> l.contains(requestId))
          && System.nanoTime() < deadline) {
        Thread.sleep(10); // the access log is written from a background thread
      }
      String line =
          endpoint.accessLog.stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
      assertThat(line, containsString(" " + op.name() + " arn:verenc:"));
    }
  }

  private static void assertJsonError(
      HttpResponse<String> r, int status, String type, String message) {
    assertThat(r.body(), r.statusCode(), equalTo(status));
    JsonNode body = json(r.body());
    assertThat(body.get("__type").asText(), equalTo(type));
    assertThat(body.get("message").asText(), equalTo(message));
    assertThat(r.headers().firstValue("Content-Type").orElse(""), equalTo(TestEndpoint.JSON_11));
    assertThat(r.headers().firstValue("x-amzn-RequestId").orElse(""), matchesPattern(UUID));
  }

  private static JsonNode json(String s) {
    try {
      return Json.mapper().readTree(s);
    } catch (IOException e) {
      throw new AssertionError("Not JSON: " + s, e);
    }
  }

  private static HttpResponse<String> listKeys() {
    return endpoint.call("ListKeys", "{}");
  }

  @Test
  void get_isMethodNotAllowed() {
    HttpResponse<String> r = endpoint.send(HttpRequest.newBuilder(endpoint.uri()).GET().build());

    assertJsonError(
        r, 405, "UnknownOperationException", "QKMS serves the AWS KMS JSON API: POST / only.");
    assertThat(r.headers().firstValue("Allow").orElse(""), equalTo("POST"));
    assertThat(r.headers().firstValue("Connection").isPresent(), equalTo(false)); // kept alive
  }

  @Test
  void postToAnotherPath_isNotFound() {
    HttpResponse<String> r =
        endpoint.send(
            HttpRequest.newBuilder(endpoint.uri().resolve("/keys"))
                .header("Content-Type", TestEndpoint.JSON_11)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());

    assertJsonError(
        r, 404, "UnknownOperationException", "QKMS serves the AWS KMS JSON API at / only.");
  }

  @Test
  void wrongContentType_isUnsupportedMediaType() {
    HttpResponse<String> r =
        endpoint.send(
            HttpRequest.newBuilder(endpoint.uri())
                .header("Content-Type", "application/json")
                .header("X-Amz-Target", "TrentService.ListKeys")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());

    assertJsonError(
        r,
        415,
        "UnsupportedMediaTypeException",
        "The Content-Type must be application/x-amz-json-1.1.");
  }

  @Test
  void contentTypeWithCharset_isAccepted() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers =
        endpoint.signPost(
            Map.of(
                "Content-Type",
                "application/x-amz-json-1.1; charset=utf-8",
                "X-Amz-Target",
                "TrentService.ListKeys"),
            body,
            "kms",
            NOW);

    HttpRequest request = endpoint.post(HttpRequest.BodyPublishers.ofByteArray(body), headers);
    assertThat(endpoint.send(request).statusCode(), equalTo(200));
  }

  @Test
  void bodyOverTheLimit_withContentLength_isTooLarge_andTheServerStaysHealthy() {
    byte[] big = new byte[MAX_BODY + 1];
    Arrays.fill(big, (byte) ' ');

    HttpResponse<String> r =
        endpoint.send(endpoint.signed("ListKeys", big, endpoint.rootKey, "us-east-1"));

    assertTooLarge_andTheServerStaysHealthy(r);
  }

  @Test
  void chunkedBodyOverTheLimit_isTooLarge_andTheServerStaysHealthy() {
    byte[] big = new byte[4 * MAX_BODY];
    Arrays.fill(big, (byte) ' ');
    HttpRequest signed = endpoint.signed("ListKeys", big, endpoint.rootKey, "us-east-1");
    // No length known up front: sent chunked, so only counting can stop it.
    HttpRequest chunked =
        endpoint.resend(
            signed, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

    HttpResponse<String> r = endpoint.send(chunked);

    assertTooLarge_andTheServerStaysHealthy(r);
  }

  /** 413 with AWS's error, the connection closed, and the next call served. */
  private static void assertTooLarge_andTheServerStaysHealthy(HttpResponse<String> r) {
    assertJsonError(
        r,
        413,
        "RequestEntityTooLargeException",
        "The request body must be at most " + MAX_BODY + " bytes.");
    assertThat(r.headers().firstValue("Connection").orElse(""), equalTo("close"));
    assertThat(listKeys().statusCode(), equalTo(200));
  }

  @Test
  void rejectionBeforeTheBodyArrived_closesTheConnection_andSaysSo() throws IOException {
    try (Socket s = new Socket("127.0.0.1", endpoint.server.port())) {
      s.setSoTimeout(10_000);
      // Headers only: the 100 bytes they announce never come.
      s.getOutputStream()
          .write(
              ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 100\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      RawHttp.Response r = RawHttp.read(s);

      assertThat(r.status(), equalTo(415));
      assertThat(r.headers().get("connection"), equalTo("close"));
      assertThat(s.getInputStream().read(), equalTo(-1));
    }
    assertThat(listKeys().statusCode(), equalTo(200));
  }

  @Test
  void malformedJson_isSerializationException() {
    HttpResponse<String> r = endpoint.call("ListKeys", "{\"Limit\": ");

    assertJsonError(r, 400, "SerializationException", "The request body is not valid JSON.");
  }

  @Test
  void unknownTarget_isUnknownOperationException() {
    HttpResponse<String> r = endpoint.call("GetParametersForImport", "{}");

    assertThat(r.statusCode(), equalTo(400));
    assertThat(json(r.body()).get("__type").asText(), equalTo("UnknownOperationException"));
    assertThat(r.headers().firstValue("x-amzn-RequestId").orElse(""), matchesPattern(UUID));
  }

  @Test
  void success_carriesRequestIdJson11ContentTypeAndDate() {
    HttpResponse<String> r = listKeys();

    assertThat(r.statusCode(), equalTo(200));
    // The SDKs correct their clock skew from Date when a signature is refused as expired.
    assertThat(r.headers().firstValue("Date").isPresent(), equalTo(true));
    assertThat(r.headers().firstValue("Content-Type").orElse(""), equalTo(TestEndpoint.JSON_11));
    assertThat(r.headers().firstValue("x-amzn-RequestId").orElse(""), matchesPattern(UUID));
  }

  @Test
  void requestIds_differ() {
    String a = listKeys().headers().firstValue("x-amzn-RequestId").orElseThrow();
    String b = listKeys().headers().firstValue("x-amzn-RequestId").orElseThrow();

    assertThat(a.equals(b), equalTo(false));
  }

  @Test
  void keepAlive_servesSeveralRequestsOnOneConnection() throws IOException {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", endpoint.server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < 3; i++) {
        out.write(RawHttp.signedHead(endpoint, "ListKeys", body, NOW, true));
        out.write(body);
        out.flush();

        RawHttp.Response r = RawHttp.read(s);

        assertThat(r.body(), r.status(), equalTo(200));
        assertThat(r.headers().containsKey("connection"), equalTo(false)); // not "close"
      }
    }
  }

  @Test
  void headersTooLarge_isAnAwsStyleJsonError() throws IOException {
    try (Socket s = new Socket("127.0.0.1", endpoint.server.port())) {
      s.setSoTimeout(10_000);
      String huge = "x".repeat(64 * 1024);
      s.getOutputStream()
          .write(
              ("POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + huge + "\r\nContent-Length: 0\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));

      RawHttp.Response r = RawHttp.read(s);

      assertThat(r.status(), equalTo(431));
      assertThat(r.headers().get("content-type"), equalTo(TestEndpoint.JSON_11));
      assertThat(json(r.body()).get("__type").asText(), equalTo("MalformedHttpRequestException"));
    }
  }
}
