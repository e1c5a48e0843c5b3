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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
        HttpRequest.newBuilder(signed.uri())
            .timeout(TestEndpoint.TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(LIST_KEYS));
    signed
        .headers()
        .map()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase(name)) {
                vs.forEach(v -> b.header(k, v));
              }
            });
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

  @Test
  void noAuthorizationHeader_isMissingAuthenticationToken() {
    HttpResponse<String> r = endpoint.send(withHeader(listKeys(NOW), "Authorization", null));

    assertError(r, "MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  @Test
  void authorizationWithoutSignatureAndSignedHeaders_isIncompleteSignature() {
    HttpRequest signed = listKeys(NOW);
    String auth = authorization(signed);
    String credentialOnly = auth.substring(0, auth.indexOf(", SignedHeaders="));

    HttpResponse<String> r = endpoint.send(withHeader(signed, "Authorization", credentialOnly));

    assertError(
        r,
        "IncompleteSignatureException",
        "Authorization header requires 'Signature' parameter. Authorization header requires"
            + " 'SignedHeaders' parameter.");
  }

  @Test
  void bearerToken_isIncompleteSignature_withTheHeaderHashedNotEchoed() throws Exception {
    String header = "Bearer abc.def";
    String hashed =
        Base64.getEncoder()
            .encodeToString(TestSigner.sha256(header.getBytes(StandardCharsets.UTF_8)));

    HttpResponse<String> r = endpoint.send(withHeader(listKeys(NOW), "Authorization", header));

    assertError(
        r,
        "IncompleteSignatureException",
        "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256"
            + " and encoded with Base64): '"
            + hashed
            + "'.");
  }

  @Test
  void noXAmzDate_isIncompleteSignature() {
    HttpResponse<String> r = endpoint.send(withHeader(listKeys(NOW), "X-Amz-Date", null));

    assertError(
        r,
        "IncompleteSignatureException",
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }

  @Test
  void malformedXAmzDate_isIncompleteSignature() {
    HttpResponse<String> r =
        endpoint.send(withHeader(listKeys(NOW), "X-Amz-Date", "2026-01-01T00:00:00Z"));

    assertError(
        r,
        "IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See"
            + " http://en.wikipedia.org/wiki/ISO_8601");
  }

  @Test
  void hostNotSigned_isIncompleteSignature() {
    HttpRequest signed = listKeys(NOW);
    String auth = authorization(signed).replace(";host;", ";");

    HttpResponse<String> r = endpoint.send(withHeader(signed, "Authorization", auth));

    assertError(
        r,
        "IncompleteSignatureException",
        "'Host' must be a 'SignedHeader' in the AWS Authorization.");
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
  void credentialWithFourElements_isIncompleteSignature() {
    HttpRequest signed = listKeys(NOW);
    String auth = authorization(signed).replace("/aws4_request,", ",");
    String credential = endpoint.rootKey.accessKeyId() + "/20260101/us-east-1/kms";

    HttpResponse<String> r = endpoint.send(withHeader(signed, "Authorization", auth));

    assertError(
        r,
        "IncompleteSignatureException",
        "Credential must have exactly 5 slash-delimited elements, e.g."
            + " keyid/date/region/service/term, got '"
            + credential
            + "'");
  }

  @Test
  void unsupportedAlgorithm_isIncompleteSignature() {
    HttpRequest signed = listKeys(NOW);
    String auth = authorization(signed).replace("AWS4-HMAC-SHA256 ", "AWS4-ECDSA-P256-SHA256 ");

    HttpResponse<String> r = endpoint.send(withHeader(signed, "Authorization", auth));

    assertError(
        r,
        "IncompleteSignatureException",
        "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'.");
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
  void scopeDateOtherThanXAmzDate_isInvalidSignature() {
    HttpRequest signed = listKeys(NOW);
    String auth = authorization(signed).replace("/20260101/", "/20251231/");

    HttpResponse<String> r = endpoint.send(withHeader(signed, "Authorization", auth));

    assertError(
        r,
        "InvalidSignatureException",
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from"
            + " HTTP: '20251231' != '20260101', from '20260101T000000Z'.");
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
