package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qkms serve}'s {@code --[no-]console}: the Try It Out console is on by default on a
 * loopback address (the default host) and says where it is; {@code --no-console} leaves the server
 * exactly the API.
 */
@Timeout(120)
class ServeConsoleOptionTest {
  @TempDir static Path dir;
  private static Path ks;

  @BeforeAll
  static void init() {
    ks = dir.resolve("ks");
    InProcess.init(ks);
  }

  private static HttpResponse<String> get(URI endpoint) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
        HttpRequest.newBuilder(endpoint.resolve("/try-it-out"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Serves with {@code options}, GETs the console, stops; returns the status and stderr. */
  private static Result serve(String... options) throws Exception {
    ServeProcess server = ServeProcess.start(ks, options);
    int status;
    try {
      status = get(server.endpoint()).statusCode();
    } finally {
      assertThat(server.stop(), is(143));
    }
    List<String> stderr = new ArrayList<>();
    server.stderr().drainTo(stderr);
    return new Result(server.endpoint(), status, stderr);
  }

  private record Result(URI endpoint, int status, List<String> stderr) {}

  @Test
  void onLoopback_theConsoleIsOnByDefault_andServeSaysWhere() throws Exception {
    Result r = serve();

    assertThat(r.status(), is(200));
    assertThat(
        r.stderr(),
        hasItem(
            "qkms: Try It Out console at "
                + r.endpoint()
                + "/try-it-out (--no-console turns it off)"));
  }

  @Test
  void noConsole_leavesOnlyTheApi() throws Exception {
    Result r = serve("--no-console");

    assertThat(r.status(), is(405)); // GET is not an API call
    assertThat(String.join("\n", r.stderr()), not(containsString("Try It Out")));
  }

  @Test
  void console_turnsItOnExplicitly() throws Exception {
    assertThat(serve("--console").status(), is(200));
  }

  @Test
  void help_describesTheOption() {
    CliProcess.Result r = InProcess.qkms(Map.of(), "serve", "--help");

    assertThat(r.status(), equalTo(0));
    assertThat(r.stdout(), containsString("--[no-]console"));
    assertThat(
        r.stdout().replaceAll("\\s+", " "),
        containsString("Default: on when --host is a loopback address, off otherwise."));
  }
}
