package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.http.sigv4.SigV4Suite;
import io.qkms.testing.HeadlessChromium;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The console's SigV4 signer ({@code /try-it-out/sigv4.js}, Web Crypto) in a real headless
 * Chromium, against every case of the AWS SigV4 test suite: the canonical request, the string to
 * sign, the signature and the Authorization header must be the suite's, byte for byte. The module
 * is loaded from the server as the console loads it, in the console's page (a secure context, under
 * its Content-Security-Policy).
 */
@Timeout(120)
class TryItOutSigV4SuiteTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static TestEndpoint endpoint;
  private static HeadlessChromium browser;

  @BeforeAll
  static void start() throws Exception {
    if (!HeadlessChromium.isInstalled()) {
      return; // each test says so
    }
    endpoint = TestEndpoint.start(Clock.systemUTC(), b -> b.tryItOut(true));
    browser = HeadlessChromium.start();
    browser.driver().get(endpoint.server.endpoint() + TryItOut.PATH);
  }

  @BeforeEach
  void browserInstalled() {
    HeadlessChromium.assumeInstalled();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (endpoint != null) {
        endpoint.close();
      }
    }
  }

  static Stream<String> cases() throws Exception {
    return SigV4Suite.names();
  }

  @Test
  void suiteHasEveryCase() throws Exception {
    assertThat(cases().toList(), hasSize(38));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void browserSigner_matchesTheSuite(String name) throws Exception {
    Path dir = SigV4Suite.root().resolve(name);
    JsonNode context = JSON.readTree(dir.resolve("context.json").toFile());
    Map<String, Object> request = parse(read(dir, "request.txt"));
    JsonNode credentials = context.get("credentials");
    Map<String, Object> creds = new LinkedHashMap<>();
    creds.put("accessKeyId", credentials.get("access_key_id").asText());
    creds.put("secretAccessKey", credentials.get("secret_access_key").asText());
    if (credentials.has("token")) {
      creds.put("sessionToken", credentials.get("token").asText());
    }
    Map<String, Object> options =
        Map.of(
            "normalize", context.get("normalize").asBoolean(),
            "signBody", context.get("sign_body").asBoolean(),
            "omitSessionToken", context.path("omit_session_token").asBoolean(false));

    @SuppressWarnings("unchecked")
    Map<String, Object> signed =
        (Map<String, Object>)
            browser.asyncScript(
                """
                const [request, creds, region, service, time, options, done] = arguments;
                import('/try-it-out/sigv4.js')
                  .then((m) => m.sign(request, creds,
                      {region, service, date: new Date(time)}, options))
                  .then((s) => done({canonicalRequest: s.canonicalRequest,
                      stringToSign: s.stringToSign, signature: s.signature,
                      authorization: s.authorization}))
                  .catch((e) => done({error: String(e)}));
                """,
                request,
                creds,
                context.get("region").asText(),
                context.get("service").asText(),
                context.get("timestamp").asText(),
                options);

    assertThat(String.valueOf(signed.get("error")), signed.get("error"), equalTo(null));
    assertThat(signed.get("canonicalRequest"), equalTo(read(dir, "header-canonical-request.txt")));
    assertThat(signed.get("stringToSign"), equalTo(read(dir, "header-string-to-sign.txt")));
    assertThat(signed.get("signature"), equalTo(read(dir, "header-signature.txt").strip()));
    assertThat(
        signed.get("authorization"),
        equalTo(authorization(read(dir, "header-signed-request.txt"))));
  }

  @Test
  void signingInThePage_breaksNoContentSecurityPolicyRule() {
    assertThat(browser.consoleErrors(), empty());
  }

  private static String read(Path dir, String file) throws IOException {
    return Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
  }

  /** The Authorization header's value in a signed request. */
  private static String authorization(String signedRequest) {
    for (String line : signedRequest.split("\n")) {
      if (line.startsWith("Authorization:")) {
        return line.substring("Authorization:".length());
      }
    }
    throw new AssertionError("no Authorization header in " + signedRequest);
  }

  /**
   * A suite request as the signer takes it: method, path, query, header [name, value] pairs in
   * order (a folded line continues its header's value, kept with its line break: the signer must
   * collapse it), body.
   */
  private static Map<String, Object> parse(String raw) {
    SigV4Suite.Request parsed = SigV4Suite.parse(raw);
    List<List<String>> headers = new ArrayList<>();
    parsed.headers().forEach(h -> headers.add(List.of(h[0], h[1])));
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("method", parsed.method());
    request.put("path", parsed.path());
    request.put("query", parsed.query() == null ? "" : parsed.query());
    request.put("headers", headers);
    request.put("body", parsed.body());
    return request;
  }
}
