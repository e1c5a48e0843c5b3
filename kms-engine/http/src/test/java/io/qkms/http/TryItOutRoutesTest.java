package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import io.qkms.engine.wire.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the Try It Out console adds to the server, and that it adds nothing else: a fixed set of
 * static resources for GET and HEAD with their exact Content-Type and a strict
 * Content-Security-Policy; every other request, and the server without the console, answered as
 * before.
 */
@Timeout(30)
class TryItOutRoutesTest {
  private static final Map<String, String> RESOURCES =
      Map.of(
          "/try-it-out", "text/html;charset=utf-8",
          "/try-it-out/console.js", "text/javascript;charset=utf-8",
          "/try-it-out/sigv4.js", "text/javascript;charset=utf-8",
          "/try-it-out/console.css", "text/css;charset=utf-8",
          "/try-it-out/icon.svg", "image/svg+xml");
  private static final String UUID =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private static TestEndpoint withConsole;
  private static TestEndpoint without;

  @BeforeAll
  static void start() throws Exception {
    withConsole = TestEndpoint.start(Clock.systemUTC(), b -> b.tryItOut(true));
    without = TestEndpoint.start(Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      withConsole.close();
    } finally {
      without.close();
    }
  }

  private static HttpResponse<String> request(TestEndpoint e, String method, String path) {
    return e.send(
        HttpRequest.newBuilder(URI.create(e.server.endpoint() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(TestEndpoint.TIMEOUT)
            .build());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("(none)");
  }

  @Test
  void servesExactlyItsFixedResources() {
    TryItOutHandler handler = new TryItOutHandler(null, withConsole.engine.regions());
    assertThat(handler.paths(), equalTo(RESOURCES.keySet()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/try-it-out",
        "/try-it-out/console.js",
        "/try-it-out/sigv4.js",
        "/try-it-out/console.css",
        "/try-it-out/icon.svg"
      })
  void get_servesTheResource_withItsTypeAndAStrictPolicy(String path) {
    HttpResponse<String> r = request(withConsole, "GET", path);

    assertThat(r.statusCode(), is(200));
    assertThat(header(r, "Content-Type"), equalTo(RESOURCES.get(path)));
    assertThat(
        header(r, "Content-Security-Policy"),
        equalTo(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                + " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri"
                + " 'none'; require-trusted-types-for 'script'"));
    assertThat(header(r, "X-Content-Type-Options"), equalTo("nosniff"));
    assertThat(header(r, "X-Frame-Options"), equalTo("DENY"));
    assertThat(header(r, "Referrer-Policy"), equalTo("no-referrer"));
    assertThat(header(r, "x-amzn-RequestId"), matchesPattern(UUID));
    assertThat(
        header(r, "Content-Length"),
        equalTo(Integer.toString(r.body().getBytes(StandardCharsets.UTF_8).length)));
    assertThat(r.body().isEmpty(), is(false));
  }

  @Test
  void head_answersTheHeadersWithoutABody() {
    HttpResponse<String> get = request(withConsole, "GET", "/try-it-out/console.js");
    HttpResponse<String> head = request(withConsole, "HEAD", "/try-it-out/console.js");

    assertThat(head.statusCode(), is(200));
    assertThat(head.body(), equalTo(""));
    assertThat(header(head, "Content-Length"), equalTo(header(get, "Content-Length")));
    assertThat(header(head, "Content-Type"), equalTo("text/javascript;charset=utf-8"));
  }

  @Test
  void page_isTheApiPagesTryItOut_withTheStoresRegions_andNoInlineScriptOrStyle() {
    String page = request(withConsole, "GET", "/try-it-out").body();

    assertThat(page, containsString("<h1>Test ReEncrypt</h1>"));
    assertThat(page, containsString("Re-encrypt data with a new KMS key."));
    // The store's home region is the default; every region of the store is offered.
    assertThat(
        page,
        containsString("id=\"region\" type=\"text\" list=\"region-options\" value=\"us-east-1\""));
    assertThat(
        page,
        containsString(
            "<option value=\"us-east-1\"></option><option value=\"eu-west-1\"></option>"));
    // Nothing that the policy would have to allow: scripts and styles come from files only.
    assertThat(page, not(containsString("<style")));
    assertThat(page, not(containsString(" style=")));
    assertThat(
        page, not(matchesPattern("(?s).*\\son[a-z]+\\s*=.*"))); // no event handler attributes
    assertThat(page.split("<script").length - 1, is(1));
    assertThat(
        page, containsString("<script type=\"module\" src=\"/try-it-out/console.js\"></script>"));
    // Every resource it loads or links to is one of the console's own.
    assertThat(page, not(matchesPattern("(?s).*(src|href)=\"(?!/try-it-out/|#).*")));
  }

  @Test
  void getsAreLogged_likeEveryRequest() throws Exception {
    HttpResponse<String> r = request(withConsole, "GET", "/try-it-out/console.css");
    String id = header(r, "x-amzn-RequestId");
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (withConsole.accessLog.stream().noneMatch(l -> l.contains(id))
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(
        withConsole.accessLog,
        hasItem(matchesPattern("\\S+ " + id + " 127\\.0\\.0\\.1:\\d+ - - 200 - [0-9.]+ms")));
  }

  /** Not the console's: answered by the API exactly as by a server without the console. */
  @ParameterizedTest
  @CsvSource({
    "GET, /try-it-out/",
    "GET, /try-it-out/index.html",
    "GET, /try-it-out/../try-it-out/console.js",
    "GET, /TRY-IT-OUT",
    "GET, /try-it-out/%63onsole.js",
    "GET, /",
    "POST, /try-it-out",
    "PUT, /try-it-out",
    "DELETE, /try-it-out/console.js",
    "OPTIONS, /try-it-out"
  })
  void otherRequests_areAnsweredAsWithoutTheConsole(String method, String path) throws Exception {
    HttpResponse<String> on = request(withConsole, method, path);
    HttpResponse<String> off = request(without, method, path);

    assertThat(on.statusCode(), equalTo(off.statusCode()));
    assertThat(on.statusCode(), not(200));
    assertThat(
        Json.mapper().readTree(on.body()).get("__type"),
        equalTo(Json.mapper().readTree(off.body()).get("__type")));
    assertThat(header(on, "Content-Security-Policy"), equalTo("(none)"));
  }

  @Test
  void withoutTheConsole_theConsolePathIsNotThere() {
    HttpResponse<String> r = request(without, "GET", "/try-it-out");

    assertThat(r.statusCode(), is(405));
    assertThat(r.body(), containsString("UnknownOperationException"));
  }

  @Test
  void apiCalls_workAsBefore_withTheConsoleOn() {
    HttpResponse<String> r = withConsole.call("ListKeys", "{}");

    assertThat(r.body(), r.statusCode(), is(200));
    assertThat(r.body(), containsString("\"Keys\""));
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, true",
    "127.0.0.2, true",
    "localhost, true",
    "::1, true",
    "0.0.0.0, false",
    "::, false",
    "192.0.2.10, false",
    "2001:db8::1, false"
  })
  void consoleIsOnByDefault_onlyOnALoopbackAddress(String host, boolean on) {
    assertThat(host, TryItOut.onByDefault(host), is(on));
  }

  @Test
  void regionNames_areEscapedInThePage() {
    assertThat(
        TryItOutHandler.html("<a href=\"x\">'&"),
        equalTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;"));
  }
}
