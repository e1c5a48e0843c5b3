package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.testing.MutableClock;
import io.qkms.engine.wire.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a request fails SigV4, over real HTTP: status 400 (what AWS's JSON-protocol services
 * answer), the error's {@code __type} and AWS's message, a request ID and the JSON 1.1 type.
 */
@Timeout(30)
class AuthenticationErrorsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final byte[] LIST_KEYS = "{}".getBytes(StandardCharsets.UTF_8);
  private static final String MISMATCH =
      "The request signature we calculated does not match the signature you provided. Check your"
          + " AWS Secret Access Key and signing method. Consult the service documentation for"
          + " details.";

  private static MutableClock clock;
  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    clock = new MutableClock(NOW);
    endpoint = TestEndpoint.start(clock);
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  private static HttpRequest listKeys(Instant time) {
    return endpoint.signed(
        "ListKeys",
        LIST_KEYS,
        endpoint.rootKey.accessKeyId(),
        endpoint.rootKey.secretAccessKey(),
        "us-east-1",
        time);
  }

  /** The signed ListKeys request with one header replaced (or removed, if value is null). */
  private static HttpRequest withHeader(HttpRequest signed, String name, String value) {
    HttpRequest.Builder b =
        endpoint.post(
            HttpRequest.BodyPublishers.ofByteArray(LIST_KEYS),
            signed.headers().map(),
            k -> !k.equalsIgnoreCase(name));
    if (value != null) {
      b.header(name, value);
    }
    return b.build();
  }

  private static String authorization(HttpRequest r) {
    return r.headers().firstValue("Authorization").orElseThrow();
  }

  private static void assertError(HttpResponse<String> r, String type, String message) {
    assertThat(r.body(), r.statusCode(), equalTo(400));
    assertThat(
        r.body(),
        equalTo(
            "{\"__type\":\""
                + type
                + "\",\"message\":"
                + Json.mapper().valueToTree(message)
                + "}"));
    assertThat(r.headers().firstValue("Content-Type").orElse(""), equalTo(TestEndpoint.JSON_11));
    assertThat(
        r.headers().firstValue("x-amzn-RequestId").orElse(""),
        matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  }

  @Test
  void signedRequest_isServed() {
    HttpResponse<String> r = endpoint.send(listKeys(NOW));

    assertThat(r.body(), r.statusCode(), equalTo(200));
  }

  /** The signed request with header {@code name} set to {@code value} (removed, if null). */
  private static Arguments header(
      String behaviour, String name, String value, String type, String message) {
    UnaryOperator<HttpRequest> tamper = signed -> withHeader(signed, name, value);
    return Arguments.of(Named.of(behaviour, tamper), type, message);
  }

  /** The signed request with its Authorization header rewritten by {@code rewrite}. */
  private static Arguments authorization(
      String behaviour, UnaryOperator<String> rewrite, String type, String message) {
    UnaryOperator<HttpRequest> tamper =
        signed -> withHeader(signed, "Authorization", rewrite.apply(authorization(signed)));
    return Arguments.of(Named.of(behaviour, tamper), type, message);
  }

  /**
   * Requests whose headers are missing, malformed or not signed as SigV4 requires; in a message,
   * {@code %s} stands for the root's access key ID.
   */
  static Stream<Arguments> tamperedHeaders() {
    String bearer = "Bearer abc.def";
    String bearerHashed =
        Base64.getEncoder()
            .encodeToString(TestSigner.sha256(bearer.getBytes(StandardCharsets.UTF_8)));
    return Stream.of(
        header(
            "no Authorization header",
            "Authorization",
            null,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token"),
        authorization(
            "Authorization without Signature and SignedHeaders",
            auth -> auth.substring(0, auth.indexOf(", SignedHeaders=")),
            "IncompleteSignatureException",
            "Authorization header requires 'Signature' parameter. Authorization header requires"
                + " 'SignedHeaders' parameter."),
        header(
            "a bearer token, hashed in the message rather than echoed",
            "Authorization",
            bearer,
            "IncompleteSignatureException",
            "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with"
                + " SHA-256 and encoded with Base64): '"
                + bearerHashed
                + "'."),
        header(
            "no X-Amz-Date",
            "X-Amz-Date",
            null,
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date'"
                + " header."),
        header(
            "malformed X-Amz-Date",
            "X-Amz-Date",
            "2026-01-01T00:00:00Z",
            "IncompleteSignatureException",
            "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See"
                + " http://en.wikipedia.org/wiki/ISO_8601"),
        authorization(
            "Host not signed",
            auth -> auth.replace(";host;", ";"),
            "IncompleteSignatureException",
            "'Host' must be a 'SignedHeader' in the AWS Authorization."),
        authorization(
            "a credential of four elements",
            auth -> auth.replace("/aws4_request,", ","),
            "IncompleteSignatureException",
            "Credential must have exactly 5 slash-delimited elements, e.g."
                + " keyid/date/region/service/term, got '%s/20260101/us-east-1/kms'"),
        authorization(
            "an unsupported algorithm",
            auth -> auth.replace("AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 "),
            "IncompleteSignatureException",
            "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."),
        authorization(
            "a scope date other than X-Amz-Date's",
            auth -> auth.replace("/20260101/", "/20251231/"),
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
                + " HTTP: '20251231' != '20260101', from '20260101T000000Z'."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperedHeaders")
  void tamperedHeaders_areRefusedWithAwsErrorAndMessage(
      UnaryOperator<HttpRequest> tamper, String type, String message) {
    HttpResponse<String> r = endpoint.send(tamper.apply(listKeys(NOW)));

    assertError(r, type, message.formatted(endpoint.rootKey.accessKeyId()));
  }

  /**
   * ListKeys signed with only {@code signedHeaders} of Content-Type and X-Amz-Target, then sent
   * with both, the unsigned one set to {@code unsignedValue}.
   */
  private static HttpRequest signedWithout(String unsigned, String unsignedValue) {
    Map<String, String> signedOnly = new TreeMap<>(TestEndpoint.kmsHeaders("ListKeys"));
    signedOnly.remove(unsigned);
    Map<String, String> headers =
        new TreeMap<>(endpoint.signPost(signedOnly, LIST_KEYS, "kms", NOW));
    headers.put(unsigned, unsignedValue);
    return endpoint.post(HttpRequest.BodyPublishers.ofByteArray(LIST_KEYS), headers);
  }

  @Test
  void xAmzTargetNotSigned_isIncompleteSignature_soASignedBodyCannotBeReplayedToAnotherOperation() {
    // A body signed for one call must not run as another: here a ListKeys body as ListAliases.
    HttpResponse<String> r =
        endpoint.send(signedWithout("X-Amz-Target", "TrentService.ListAliases"));

    assertError(
        r,
        "IncompleteSignatureException",
        "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void contentTypeNotSigned_isIncompleteSignature() {
    HttpResponse<String> r =
        endpoint.send(signedWithout("Content-Type", TestEndpoint.JSON_11 + "; charset=utf-8"));

    assertError(
        r,
        "IncompleteSignatureException",
        "'Content-Type' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void signedMoreThanFiveMinutesAgo_isSignatureExpired() {
    HttpResponse<String> r = endpoint.send(listKeys(NOW.minusSeconds(301)));

    assertError(
        r,
        "InvalidSignatureException",
        "Signature expired: 20251231T235459Z is now earlier than 20251231T235500Z"
            + " (20260101T000000Z - 5 min.)");
  }

  @Test
  void signedExactlyFiveMinutesAgo_isServed() {
    HttpResponse<String> r = endpoint.send(listKeys(NOW.minusSeconds(300)));

    assertThat(r.body(), r.statusCode(), equalTo(200));
  }

  @Test
  void signedMoreThanFiveMinutesAhead_isSignatureNotYetCurrent() {
    HttpResponse<String> r = endpoint.send(listKeys(NOW.plusSeconds(301)));

    assertError(
        r,
        "InvalidSignatureException",
        "Signature not yet current: 20260101T000501Z is still later than 20260101T000500Z"
            + " (20260101T000000Z + 5 min.)");
  }

  @Test
  void scopeOfAnotherService_isInvalidSignature() {
    Map<String, String> headers =
        endpoint.signPost(TestEndpoint.kmsHeaders("ListKeys"), LIST_KEYS, "s3", NOW);

    HttpResponse<String> r =
        endpoint.send(endpoint.post(HttpRequest.BodyPublishers.ofByteArray(LIST_KEYS), headers));

    assertError(
        r, "InvalidSignatureException", "Credential should be scoped to correct service: 'kms'. ");
  }

  @Test
  void wrongSecret_isInvalidSignature() {
    HttpResponse<String> r =
        endpoint.send(
            endpoint.signed(
                "ListKeys",
                LIST_KEYS,
                endpoint.rootKey.accessKeyId(),
                endpoint.aliceKey.secretAccessKey(),
                "us-east-1",
                NOW));

    assertError(r, "InvalidSignatureException", MISMATCH);
  }

  @Test
  void bodyOtherThanTheSignedOne_isInvalidSignature() {
    HttpRequest signed = listKeys(NOW);

    HttpResponse<String> r =
        endpoint.send(
            endpoint.resend(signed, HttpRequest.BodyPublishers.ofString("{\"Limit\":1}")));

    assertError(r, "InvalidSignatureException", MISMATCH);
  }

  @Test
  void signedHeaderChangedInTransit_isInvalidSignature() {
    HttpResponse<String> r =
        endpoint.send(withHeader(listKeys(NOW), "X-Amz-Target", "TrentService.ListAliases"));

    assertError(r, "InvalidSignatureException", MISMATCH);
  }

  @Test
  void contentSha256OtherThanTheBodys_isInvalidSignature() {
    HttpResponse<String> r =
        endpoint.send(withHeader(listKeys(NOW), "x-amz-content-sha256", "UNSIGNED-PAYLOAD"));

    assertError(
        r,
        "InvalidSignatureException",
        "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  @Test
  void unknownAccessKey_isUnrecognizedClient() {
    HttpResponse<String> r =
        endpoint.send(
            endpoint.signed(
                "ListKeys",
                LIST_KEYS,
                "AKIAIOSFODNN7EXAMPLE",
                endpoint.rootKey.secretAccessKey(),
                "us-east-1",
                NOW));

    assertError(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  @Test
  void deletedAccessKey_isUnrecognizedClient() {
    NewAccessKey key =
        AccessKeys.of(endpoint.store, Duration.ofSeconds(5)).create(TestEndpoint.ROOT, NOW);
    assertThat(
        endpoint.send(endpoint.signed("ListKeys", LIST_KEYS, key, "us-east-1")).statusCode(),
        equalTo(200));

    AccessKeys.of(endpoint.store, Duration.ofSeconds(5)).delete(key.accessKeyId());
    HttpResponse<String> r =
        endpoint.send(endpoint.signed("ListKeys", LIST_KEYS, key, "us-east-1"));

    assertError(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  @Test
  void sessionToken_isUnrecognizedClient_asQkmsIssuesNone() {
    HttpResponse<String> r =
        endpoint.send(withHeader(listKeys(NOW), "X-Amz-Security-Token", "FwoGZXIvYXdzEBY"));

    assertError(
        r, "UnrecognizedClientException", "The security token included in the request is invalid.");
  }
}
