package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.in;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.testing.HeadlessChromium;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The Try It Out console in a real headless Chromium, on a {@code qkms serve} in its own JVM, used
 * as a person would: the credentials {@code qkms init} wrote typed in, a sample encrypted,
 * re-encrypted to another key and decrypted back; a wrong context and a wrong secret. Every request
 * goes through a relay that keeps what the server was sent, so that the test sees the secret is
 * never on the wire. Screenshots go to {@code target/screenshots/}.
 */
@Timeout(300)
class TryItOutConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String ACCOUNT = "111122223333";
  private static final String PLAINTEXT = "card 4111 1111 1111 1111";
  private static final String EXAMPLE_BLOB =
      "AQICAHiWj6qDgGqSQXkNHcsbq8Q3+q6lThTZqXXRRXYtGhEQXwEH5qV5eN9LQI6CtDwBUvNVAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM6v4DhjrVUqgdqVEuAgEQgDsgli8KqqW4qp0g9ZWnHdRGYc3ZJzpV3xH9qVGFRwzVVKJNK/Ey/fGS2tl4TOQXLcTYJMEOxR8gPjA=";
  private static final List<String> MEMBERS =
      List.of(
          "CiphertextBlob",
          "SourceKeyId",
          "DestinationKeyId",
          "SourceEncryptionContext",
          "DestinationEncryptionContext",
          "SourceEncryptionAlgorithm",
          "DestinationEncryptionAlgorithm",
          "GrantTokens");

  @TempDir static Path dir;
  private static Path ks;
  private static Map<String, String> env;
  private static String accessKeyId;
  private static String secret;
  private static String payrollKey;
  private static String nextKey;
  private static ServeProcess server;
  private static RecordingRelay relay;
  private static HeadlessChromium browser;
  private static String page;

  @BeforeAll
  static void start() throws Exception {
    if (!HeadlessChromium.isInstalled()) {
      return; // each test says so
    }
    ks = dir.resolve("ks");
    env = Map.of("QKMS_KEYSTORE", ks.toString());
    // A home region other than the default, to see the page take the store's.
    JsonNode init =
        JSON.readTree(InProcess.ok(env, "init", "--region", "eu-west-1", "--region", "us-east-1"));
    accessKeyId = init.get("AccessKeyId").asText();
    secret = secretFromCredentialsFile(ks.resolve("credentials"));
    payrollKey = newKey("payroll");
    InProcess.ok(
        env, "create-alias", "--alias-name", "alias/payroll", "--target-key-id", payrollKey);
    nextKey = newKey("payroll-2026");
    InProcess.ok(
        env, "create-alias", "--alias-name", "alias/payroll-2026", "--target-key-id", nextKey);

    server = ServeProcess.start(ks);
    relay = new RecordingRelay(server.endpoint());
    browser = HeadlessChromium.start();
    page = relay.endpoint() + "/try-it-out";
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      try {
        if (relay != null) {
          relay.close();
        }
      } finally {
        if (server != null) {
          assertThat(server.stop(), equalTo(143));
        }
      }
    }
  }

  @BeforeEach
  void browserInstalled() {
    HeadlessChromium.assumeInstalled();
  }

  /** Nothing in the page failed: no script error, nothing the Content-Security-Policy refused. */
  @AfterEach
  void noScriptErrorsOrPolicyViolations() {
    if (browser == null) {
      return;
    }
    // Chromium logs every 4xx answer to fetch() as an error; those are the API's answers.
    List<String> errors =
        browser.consoleErrors().stream()
            .filter(
                m ->
                    !m.contains(
                        "Failed to load resource: the server responded with a status of 400"))
            .toList();
    assertThat(errors, empty());
  }

  private static String newKey(String description) throws Exception {
    return InProcess.ok(
        env,
        "create-key",
        "--description",
        description,
        "--query",
        "KeyMetadata.KeyId",
        "--output",
        "text");
  }

  private static String arn(String keyId) {
    return "arn:verenc:" + ACCOUNT + ":key/" + keyId;
  }

  private static String secretFromCredentialsFile(Path file) throws Exception {
    for (String line : Files.readAllLines(file)) {
      String[] kv = line.split("=", 2);
      if (kv.length == 2 && kv[0].strip().equals("aws_secret_access_key")) {
        return kv[1].strip();
      }
    }
    throw new AssertionError("no secret in " + file);
  }

  // ---- driving the page ---------------------------------------------------------------------

  /** Opens the console afresh and waits until its script has started. */
  private static void open() {
    browser.driver().get(page);
    browser.waitUntil(
        d -> (Boolean) browser.script("return document.getElementById('needs-script').hidden;"));
  }

  private static WebElement el(String id) {
    return browser.driver().findElement(By.id(id));
  }

  private static String value(String id) {
    return el(id).getDomProperty("value");
  }

  private static String text(String id) {
    return el(id).getText();
  }

  private static void type(String id, String text) {
    WebElement e = el(id);
    e.clear();
    e.sendKeys(text);
  }

  /** Types the credentials, then Tab: the page lists the keys. Waits until it has. */
  private static void enterCredentials(String keyId, String secretKey) {
    type("access-key-id", keyId);
    type("secret-access-key", secretKey);
    el("secret-access-key").sendKeys(Keys.TAB);
    browser.waitUntil(
        d -> {
          String c = el("keys-status").getDomAttribute("class");
          return c.contains("is-ok") || c.contains("is-error");
        });
  }

  private static int shown() {
    String s = el("response").getDomAttribute("data-shown");
    return s == null ? 0 : Integer.parseInt(s);
  }

  /** Clicks a button and waits until the Response region shows the outcome. */
  private static void clickAndWait(String id) {
    int before = shown();
    el(id).click();
    browser.waitUntil(d -> shown() > before);
  }

  /** Clicks "Load keys" and waits until the keys' status is new. */
  private static void clickAndWaitForStatus(String id) {
    browser.script("document.getElementById('keys-status').className = 'status';");
    el(id).click();
    browser.waitUntil(
        d -> {
          String c = el("keys-status").getDomAttribute("class");
          return c.contains("is-ok") || c.contains("is-error");
        });
  }

  /** The JSON body of the response shown. */
  private static JsonNode responseBody() throws Exception {
    String t = text("response-text");
    return JSON.readTree(t.substring(t.indexOf("\n\n") + 2));
  }

  /** The JSON body of the request shown as sent. */
  private static JsonNode requestBody() throws Exception {
    String t = text("request-text");
    return JSON.readTree(t.substring(t.indexOf("\n\n") + 2));
  }

  private static void screenshot(String name) {
    browser.screenshot(SCREENSHOTS, name, true);
  }

  /** The plaintext of a blob, decrypted by the command line (not by the page). */
  private static String decryptWithCli(String blob, String contextJson) throws Exception {
    String out =
        InProcess.ok(
            env,
            "decrypt",
            "--cli-input-json",
            "{\"CiphertextBlob\": \"" + blob + "\", \"EncryptionContext\": " + contextJson + "}",
            "--query",
            "Plaintext",
            "--output",
            "text");
    return new String(Base64.getDecoder().decode(out.strip()), StandardCharsets.UTF_8);
  }

  private static List<String> accessLogSince(int line) {
    return new ArrayList<>(server.stdout().subList(line, server.stdout().size()));
  }

  /**
   * The access log's API calls (not the page's resources) from line {@code from}, once there are
   * {@code n}.
   */
  private static List<String> awaitCalls(int from, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<String> calls =
          accessLogSince(from).stream().filter(l -> !l.split(" ")[3].equals("-")).toList();
      if (calls.size() >= n || System.nanoTime() > deadline) {
        return calls;
      }
      Thread.sleep(20);
    }
  }

  // ---- the tests ----------------------------------------------------------------------------

  @Test
  void page_isTheApiPagesTryItOut_everyMemberLabelledAsTheApiSpellsIt_exampleFilledIn()
      throws Exception {
    open();

    assertThat(text("response-heading"), equalTo("Response"));
    assertThat(browser.driver().findElement(By.tagName("h1")).getText(), equalTo("Test ReEncrypt"));
    assertThat(
        browser.driver().findElement(By.className("subtitle")).getText(),
        equalTo("Re-encrypt data with a new KMS key."));
    for (String member : MEMBERS) {
      assertThat(labelOf(member), equalTo(member));
    }
    assertThat(labelOf("access-key-id"), equalTo("Access key ID"));
    assertThat(labelOf("secret-access-key"), equalTo("Secret access key"));
    assertThat(labelOf("region"), equalTo("Region"));
    assertThat(el("secret-access-key").getDomAttribute("type"), equalTo("password"));
    assertThat(value("region"), equalTo("eu-west-1")); // the store's home region

    // The API page's Example 1.
    assertThat(value("CiphertextBlob"), equalTo(EXAMPLE_BLOB));
    assertThat(value("SourceKeyId"), equalTo("1234abcd-12ab-34cd-56ef-1234567890ab"));
    assertThat(value("DestinationKeyId"), equalTo("0987dcba-09fe-87dc-65ba-ab0987654321"));
    assertThat(
        JSON.readTree(value("SourceEncryptionContext")),
        equalTo(JSON.readTree("{\"Department\": \"Finance\"}")));
    assertThat(
        JSON.readTree(value("DestinationEncryptionContext")),
        equalTo(JSON.readTree("{\"Purpose\": \"Test\"}")));
    assertThat(value("SourceEncryptionAlgorithm"), equalTo(""));
    assertThat(value("DestinationEncryptionAlgorithm"), equalTo(""));
    assertThat(value("GrantTokens"), equalTo(""));
    for (String button :
        List.of(
            "Send request",
            "Encrypt a sample",
            "Decrypt the result",
            "Copy as AWS CLI command",
            "Load keys")) {
      assertThat(
          button,
          browser.driver().findElements(By.xpath("//button[normalize-space()='" + button + "']")),
          not(empty()));
    }
    assertThat(text("response-summary"), equalTo("No request sent yet."));
    screenshot("console-1-opened");
  }

  private static String labelOf(String id) {
    return (String)
        browser.script(
            "const e = document.getElementById(arguments[0]);"
                + " return e.labels.length === 1 ? e.labels[0].textContent.trim() : null;",
            id);
  }

  @Test
  void keyPickers_offerTheStoresKeysAndAliases_onceCredentialsAreEntered() {
    open();
    assertThat(keyOptions(), empty());

    enterCredentials(accessKeyId, secret);

    assertThat(
        text("keys-status"),
        startsWith(
            "2 keys and 2 aliases in eu-west-1: pick them in SourceKeyId and DestinationKeyId."));
    assertThat(
        keyOptions(),
        containsInAnyOrder(payrollKey, nextKey, "alias/payroll", "alias/payroll-2026"));
    // The example's key IDs are not keys of this store: they were replaced by two that are.
    assertThat(value("SourceKeyId"), in(List.of(payrollKey, nextKey)));
    assertThat(value("DestinationKeyId"), in(List.of(payrollKey, nextKey)));
    assertThat(value("DestinationKeyId"), not(equalTo(value("SourceKeyId"))));
  }

  @SuppressWarnings("unchecked")
  private static List<String> keyOptions() {
    return (List<String>)
        browser.script(
            "return [...document.querySelectorAll('#key-options option')].map(o => o.value);");
  }

  @Test
  void encryptASample_reEncryptItToAnotherKey_decryptTheResult() throws Exception {
    open();
    enterCredentials(accessKeyId, secret);
    type("SourceKeyId", "alias/payroll");
    type("DestinationKeyId", "alias/payroll-2026");
    type("sample-plaintext", PLAINTEXT);

    // 1. Encrypt a sample: an Encrypt call; its blob goes into CiphertextBlob.
    clickAndWait("encrypt-sample");
    assertThat(text("response-summary"), startsWith("Encrypt: HTTP 200"));
    JsonNode encrypted = responseBody();
    assertThat(encrypted.get("KeyId").asText(), equalTo(arn(payrollKey)));
    String blob = encrypted.get("CiphertextBlob").asText();
    assertThat(value("CiphertextBlob"), equalTo(blob));
    assertThat(
        text("sample-status"),
        equalTo("Encrypted under " + arn(payrollKey) + ": CiphertextBlob now holds the sample."));
    assertThat(decryptWithCli(blob, "{\"Department\": \"Finance\"}"), equalTo(PLAINTEXT));
    assertThat(
        requestBody(),
        equalTo(
            JSON.readTree(
                "{\"KeyId\": \"alias/payroll\", \"Plaintext\": \""
                    + Base64.getEncoder().encodeToString(PLAINTEXT.getBytes(StandardCharsets.UTF_8))
                    + "\", \"EncryptionContext\": {\"Department\": \"Finance\"}}")));
    screenshot("console-2-sample-encrypted");

    // 2. Send request: ReEncrypt under the other key, with the other context.
    clickAndWait("send");
    assertThat(text("response-summary"), startsWith("ReEncrypt: HTTP 200"));
    assertThat(el("response-error").isDisplayed(), is(false));
    JsonNode reEncrypted = responseBody();
    assertThat(reEncrypted.get("SourceKeyId").asText(), equalTo(arn(payrollKey)));
    assertThat(reEncrypted.get("KeyId").asText(), equalTo(arn(nextKey)));
    assertThat(reEncrypted.get("SourceEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(
        reEncrypted.get("DestinationEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    String moved = reEncrypted.get("CiphertextBlob").asText();
    assertThat(moved, not(equalTo(blob)));
    assertThat(decryptWithCli(moved, "{\"Purpose\": \"Test\"}"), equalTo(PLAINTEXT));
    // The request as sent: the API page's request, signed.
    String sent = text("request-text");
    assertThat(
        sent,
        matchesPattern(
            "(?s)POST / HTTP/1\\.1\n"
                + "Host: 127\\.0\\.0\\.1:\\d+\n"
                + "Content-Type: application/x-amz-json-1\\.1\n"
                + "X-Amz-Target: TrentService\\.ReEncrypt\n"
                + "X-Amz-Date: \\d{8}T\\d{6}Z\n"
                + "Authorization: AWS4-HMAC-SHA256 Credential="
                + accessKeyId
                + "/\\d{8}/eu-west-1/kms/aws4_request,"
                + " SignedHeaders=content-type;host;x-amz-date;x-amz-target,"
                + " Signature=[0-9a-f]{64}\n"
                + "Content-Length: \\d+\n\n\\{.*"));
    assertThat(
        requestBody(),
        equalTo(
            JSON.readTree(
                "{\"CiphertextBlob\": \""
                    + blob
                    + "\", \"SourceKeyId\": \"alias/payroll\","
                    + " \"DestinationKeyId\": \"alias/payroll-2026\","
                    + " \"SourceEncryptionContext\": {\"Department\": \"Finance\"},"
                    + " \"DestinationEncryptionContext\": {\"Purpose\": \"Test\"}}")));
    assertThat(text("response-text"), startsWith("HTTP/1.1 200 OK\n"));
    assertThat(text("response-text"), containsString("x-amzn-requestid: "));
    screenshot("console-3-re-encrypted");

    // 3. Decrypt the result: a Decrypt call with the destination context gives the sample back.
    assertThat(el("decrypt-result").isEnabled(), is(true));
    clickAndWait("decrypt-result");
    assertThat(text("response-summary"), startsWith("Decrypt: HTTP 200"));
    assertThat(responseBody().get("KeyId").asText(), equalTo(arn(nextKey)));
    assertThat(
        new String(
            Base64.getDecoder().decode(responseBody().get("Plaintext").asText()),
            StandardCharsets.UTF_8),
        equalTo(PLAINTEXT));
    assertThat(
        requestBody(),
        equalTo(
            JSON.readTree(
                "{\"CiphertextBlob\": \""
                    + moved
                    + "\", \"EncryptionContext\": {\"Purpose\": \"Test\"}, \"KeyId\": \""
                    + arn(nextKey)
                    + "\"}")));
    assertThat(
        text("decrypt-status"),
        equalTo(
            "Decrypts to “"
                + PLAINTEXT
                + "”: the sample's plaintext, now under "
                + arn(nextKey)
                + "."));
    screenshot("console-4-decrypted");
  }

  @Test
  void wrongSourceEncryptionContext_showsInvalidCiphertextException_highlighted() throws Exception {
    open();
    enterCredentials(accessKeyId, secret);
    type("SourceKeyId", "alias/payroll");
    type("DestinationKeyId", "alias/payroll-2026");
    clickAndWait("encrypt-sample");
    assertThat(text("response-summary"), startsWith("Encrypt: HTTP 200"));

    type("SourceEncryptionContext", "{\"Department\": \"Sales\"}");
    clickAndWait("send");

    assertThat(text("response-summary"), startsWith("ReEncrypt: HTTP 400"));
    assertThat(text("response-summary"), containsString("InvalidCiphertextException"));
    assertThat(el("response-error").isDisplayed(), is(true));
    assertThat(text("response-error-type"), equalTo("InvalidCiphertextException"));
    assertThat(responseBody().get("__type").asText(), equalTo("InvalidCiphertextException"));
    assertThat(text("response-error-message"), equalTo(responseBody().path("message").asText()));
    // The error's members are marked in the response as shown.
    List<String> marked =
        browser.driver().findElements(By.cssSelector("#response-text mark")).stream()
            .map(WebElement::getText)
            .toList();
    assertThat(marked, hasItem(containsString("\"__type\": \"InvalidCiphertextException\"")));
    assertThat(marked.size(), is(responseBody().has("message") ? 2 : 1));
    assertThat(el("decrypt-result").isEnabled(), is(false)); // nothing re-encrypted to decrypt
    screenshot("console-5-wrong-context");
  }

  @Test
  void wrongSecret_showsTheSignatureError_andNothingElseHappens() throws Exception {
    int logBefore = server.stdout().size();
    open();
    String wrong = secret.substring(0, secret.length() - 1) + (secret.endsWith("A") ? "B" : "A");
    enterCredentials(accessKeyId, wrong);

    assertThat(
        text("keys-status"),
        startsWith(
            "Could not list the keys: InvalidSignatureException: The request signature we"
                + " calculated does not match"));
    assertThat(keyOptions(), empty());
    assertThat(value("SourceKeyId"), equalTo("1234abcd-12ab-34cd-56ef-1234567890ab"));

    clickAndWait("send");
    assertThat(text("response-summary"), startsWith("ReEncrypt: HTTP 400"));
    assertThat(text("response-error-type"), equalTo("InvalidSignatureException"));
    assertThat(
        text("response-error-message"),
        startsWith(
            "The request signature we calculated does not match the signature you provided."));
    screenshot("console-6-wrong-secret");

    type("SourceKeyId", "alias/payroll");
    clickAndWait("encrypt-sample");
    assertThat(text("response-error-type"), equalTo("InvalidSignatureException"));
    assertThat(value("CiphertextBlob"), equalTo(EXAMPLE_BLOB)); // unchanged
    assertThat(text("sample-status"), startsWith("Encrypt failed: InvalidSignatureException."));
    assertThat(el("decrypt-result").isEnabled(), is(false));

    // The server answered every call of this page with the signature error, and ran none.
    List<String> calls = awaitCalls(logBefore, 3);
    assertThat(
        calls.stream().map(l -> l.split(" ")[3]).toList(),
        containsInAnyOrder("ListKeys", "ReEncrypt", "Encrypt"));
    assertThat(
        calls,
        everyItem(
            matchesPattern(
                "\\S+ \\S+ 127\\.0\\.0\\.1:\\d+ \\w+ - 400 InvalidSignatureException .*")));
    // And the store holds what it held.
    assertThat(JSON.readTree(InProcess.ok(env, "list-keys")).get("Keys").size(), is(2));
  }

  @Test
  void secret_isNeverSent_storedOrShown() throws Exception {
    open();
    enterCredentials(accessKeyId, secret);
    type("SourceKeyId", "alias/payroll");
    type("DestinationKeyId", "alias/payroll-2026");
    clickAndWait("encrypt-sample");
    clickAndWait("send");
    assertThat(text("response-summary"), startsWith("ReEncrypt: HTTP 200"));

    String wire = relay.sent();
    assertThat(wire, containsString("GET /try-it-out HTTP/1.1"));
    assertThat(wire, containsString("Credential=" + accessKeyId + "/")); // the relay saw the calls
    for (String form :
        List.of(
            secret,
            URLEncoder.encode(secret, StandardCharsets.UTF_8),
            Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)))) {
      assertThat("the secret on the wire", wire.contains(form), is(false));
    }
    assertThat(String.join("\n", server.stdout()).contains(secret), is(false));
    assertThat(
        (String) browser.script("return document.body.innerText;"), not(containsString(secret)));
    assertThat(
        browser.script(
            "return localStorage.length + sessionStorage.length + document.cookie.length;"),
        equalTo(0L));
    assertThat(browser.driver().getCurrentUrl(), equalTo(page)); // never submitted as a form
  }

  @Test
  void copyAsAwsCliCommand_showsTheRequestAsAnAwsCliCommand() throws Exception {
    open();
    type("SourceKeyId", "alias/payroll");
    type("DestinationKeyId", "alias/payroll-2026");
    type("GrantTokens", "token-1\ntoken-2");

    el("copy-cli").click();

    String command =
        browser.waitUntil(d -> text("cli-command").isEmpty() ? null : text("cli-command"));
    String prefix =
        "aws --endpoint-url "
            + relay.endpoint()
            + " --region eu-west-1 kms re-encrypt \\\n    --cli-input-json '";
    assertThat(command, startsWith(prefix));
    assertThat(command.endsWith("'"), is(true));
    assertThat(
        JSON.readTree(command.substring(prefix.length(), command.length() - 1)),
        equalTo(
            JSON.readTree(
                "{\"CiphertextBlob\": \""
                    + EXAMPLE_BLOB
                    + "\", \"SourceKeyId\": \"alias/payroll\","
                    + " \"DestinationKeyId\": \"alias/payroll-2026\","
                    + " \"SourceEncryptionContext\": {\"Department\": \"Finance\"},"
                    + " \"DestinationEncryptionContext\": {\"Purpose\": \"Test\"},"
                    + " \"GrantTokens\": [\"token-1\", \"token-2\"]}")));
    assertThat(text("cli-status"), not(equalTo("")));
    screenshot("console-7-cli-command");
  }

  @Test
  void copyAsAwsCliCommand_runsInTheRealAwsCli() throws Exception {
    Path aws = Path.of("/usr/bin/aws");
    assumeTrue(
        Files.isExecutable(aws),
        "the AWS CLI is not installed (apt-get install awscli; .ci/run does)");
    open();
    enterCredentials(accessKeyId, secret);
    type("SourceKeyId", "alias/payroll");
    type("DestinationKeyId", "alias/payroll-2026");
    clickAndWait("encrypt-sample");
    el("copy-cli").click();
    String command =
        browser.waitUntil(d -> text("cli-command").isEmpty() ? null : text("cli-command"));

    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("AWS_"));
    e.put("HOME", dir.toString());
    e.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    e.put("AWS_SHARED_CREDENTIALS_FILE", ks.resolve("credentials").toString());
    e.put("AWS_PROFILE", "qkms");
    e.put("AWS_EC2_METADATA_DISABLED", "true");
    e.put("AWS_PAGER", "");
    e.put("PATH", "/usr/bin:" + e.getOrDefault("PATH", "/bin")); // Debian's aws, not a shim
    Path out = dir.resolve("cli.out");
    Path err = dir.resolve("cli.err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat("the AWS CLI ended", p.waitFor(120, TimeUnit.SECONDS), is(true));

    assertThat(Files.readString(err), p.exitValue(), is(0));
    JsonNode result = JSON.readTree(Files.readString(out));
    assertThat(result.get("KeyId").asText(), equalTo(arn(nextKey)));
    assertThat(
        decryptWithCli(result.get("CiphertextBlob").asText(), "{\"Purpose\": \"Test\"}"),
        equalTo(PLAINTEXT));
  }

  @Test
  void invalidContextJson_isShownAtTheField_andNothingIsSent() throws Exception {
    open();
    int logStart = server.stdout().size();
    enterCredentials(accessKeyId, secret);
    awaitCalls(logStart, 2); // ListKeys and ListAliases, logged
    int logBefore = server.stdout().size();
    type("DestinationEncryptionContext", "{\"Purpose\": ");

    clickAndWait("send");

    assertThat(
        text("response-summary"),
        equalTo("ReEncrypt: not sent · DestinationEncryptionContext is not valid JSON."));
    assertThat(el("DestinationEncryptionContext").getDomAttribute("aria-invalid"), equalTo("true"));
    assertThat(text("DestinationEncryptionContext-error"), startsWith("Not JSON: "));
    // Then a call that is sent: the log shows it, and nothing before it.
    clickAndWaitForStatus("load-keys");
    assertThat(
        awaitCalls(logBefore, 2).stream().map(l -> l.split(" ")[3]).toList(),
        equalTo(List.of("ListKeys", "ListAliases")));
  }

  @Test
  void keyboardOnly_everyControlIsReachedWithAVisibleFocus_andEnterSendsTheRequest()
      throws Exception {
    open();
    // Every form control has a label; every button says what it does.
    assertThat(
        browser.script(
            "return [...document.querySelectorAll('input, select, textarea')]"
                + ".filter(e => e.labels.length === 0).map(e => e.id);"),
        equalTo(List.of()));
    assertThat(
        browser.script(
            "return [...document.querySelectorAll('button')]"
                + ".filter(b => !b.textContent.trim()).length;"),
        equalTo(0L));

    // Tab through the page from the top: every control in order, each with a visible outline.
    browser.script("document.activeElement.blur(); window.scrollTo(0, 0);");
    List<String> reached = new ArrayList<>();
    Actions keys = new Actions(browser.driver());
    for (int i = 0; i < 40 && !reached.contains("send"); i++) {
      keys.sendKeys(Keys.TAB).perform();
      @SuppressWarnings("unchecked")
      Map<String, Object> focus =
          (Map<String, Object>)
              browser.script(
                  "const e = document.activeElement, s = getComputedStyle(e);"
                      + " return {id: e.id || e.className, style: s.outlineStyle,"
                      + " width: parseFloat(s.outlineWidth)};");
      reached.add((String) focus.get("id"));
      assertThat(focus.get("id") + " outline", focus.get("style"), not(equalTo("none")));
      assertThat(
          focus.get("id") + " outline width",
          ((Number) focus.get("width")).doubleValue(),
          greaterThanOrEqualTo(2.0));
    }
    List<String> expected =
        new ArrayList<>(
            List.of(
                "skip",
                "access-key-id",
                "secret-access-key",
                "region",
                "load-keys",
                "sample-plaintext",
                "encrypt-sample"));
    expected.addAll(MEMBERS);
    expected.add("send");
    assertThat(reached, hasItems(expected.toArray(String[]::new)));
    assertThat(
        reached.indexOf("access-key-id"), lessThanOrEqualTo(reached.indexOf("CiphertextBlob")));
    screenshot("console-8-keyboard-focus");

    // Enter in a field sends the request, as the form's submit.
    el("access-key-id").sendKeys(accessKeyId);
    el("secret-access-key").sendKeys(secret);
    int before = shown();
    el("DestinationKeyId").sendKeys(Keys.ENTER);
    browser.waitUntil(d -> shown() > before);
    // The API page's example blob is no ciphertext of this store: the server says so.
    assertThat(text("response-summary"), startsWith("ReEncrypt: HTTP 400"));
    assertThat(el("response-error").isDisplayed(), is(true));
    assertThat(browser.driver().getCurrentUrl(), equalTo(page));
  }

  @Test
  void narrowScreen_oneColumn_noSidewaysScrolling() {
    try {
      browser.windowSize(390, 844);
      open();
      enterCredentials(accessKeyId, secret);
      clickAndWait("send");
      assertThat(
          (Long) browser.script("return document.documentElement.scrollWidth;"),
          lessThanOrEqualTo((Long) browser.script("return document.documentElement.clientWidth;")));
      // The response comes below the request, in the same column.
      assertThat(
          el("response").getLocation().getY(),
          greaterThanOrEqualTo(el("send").getLocation().getY()));
      assertThat(el("response").getLocation().getX(), equalTo(el("request").getLocation().getX()));
      // What a phone shows: the top of the page, and the response it scrolled to.
      browser.script("window.scrollTo(0, 0);");
      browser.screenshot(SCREENSHOTS, "console-9-narrow-top", false);
      browser.script("document.getElementById('response').scrollIntoView();");
      browser.screenshot(SCREENSHOTS, "console-10-narrow-response", false);
    } finally {
      browser.windowSize(1280, 1000);
    }
  }
}
