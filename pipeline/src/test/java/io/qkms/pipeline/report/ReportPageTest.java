package io.qkms.pipeline.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.testing.Samples;
import io.qkms.testing.HeadlessChromium;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * report.html of a real run (the samples re-keyed on the Direct runner, four records
 * dead-lettered), with a time series added to its report.json, opened in a real headless Chromium:
 * every figure on the page is report.json's, and the page loads nothing and runs no script. Also a
 * report without a time series and a failed run's report. Screenshots go to {@code
 * target/screenshots/}.
 */
@Timeout(300)
class ReportPageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PAGES = Path.of("target", "report-page");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir static Path dir;
  private static ObjectNode report;
  private static HeadlessChromium browser;

  @BeforeAll
  static void runTheSamples_andOpenTheirReport() throws Exception {
    if (!HeadlessChromium.isInstalled()) {
      return; // each test says so
    }
    Samples samples = Samples.made(dir.resolve("samples"));
    Path output = dir.resolve("run");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
    ReKeyJob.Outcome outcome =
        ReKeyJob.run(
            new String[] {
              "--input=" + samples.data("customers.avro"),
              "--output=" + output,
              "--keystore=" + samples.keystore(),
              "--fields=card.number,items[].secret,note",
              "--destinationKeyId=" + Samples.NEW_KEY,
              "--sourceEncryptionContext={\"tenant\":\"${tenant_id}\"}",
              "--destinationEncryptionContext={\"tenant\":\"${tenant_id}\"}",
              "--runner=DirectRunner"
            },
            ps,
            ps);
    assertThat(log.toString(StandardCharsets.UTF_8), outcome.exitCode(), is(ReKeyJob.EXIT_OK));
    report = (ObjectNode) JSON.readTree(output.resolve(ReKeyJob.REPORT_FILE).toFile());
    report.set("timeline", timeline(report.path("records").path("read").asLong()));
    // As the page's writer would read it back: the numbers as JSON parses them.
    report = (ObjectNode) JSON.readTree(JSON.writeValueAsString(report));

    browser = HeadlessChromium.start();
    open(write("report.html", report));
  }

  @BeforeEach
  void browserInstalled() {
    HeadlessChromium.assumeInstalled();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
  }

  /** The proposed time series: cumulative records read at seconds since the start. */
  private static ArrayNode timeline(long read) {
    ArrayNode t = JSON.createArrayNode();
    double[] shares = {0.05, 0.18, 0.42, 0.71, 0.9, 1.0};
    for (int i = 0; i < shares.length; i++) {
      t.addObject()
          .put("seconds", BigDecimal.valueOf(0.5 * (i + 1)))
          .put("records", Math.round(read * shares[i]));
    }
    return t;
  }

  private static Path write(String name, JsonNode json) throws Exception {
    Files.createDirectories(PAGES);
    Path page = PAGES.resolve(name);
    Files.writeString(page, ReportPage.render(json), StandardCharsets.UTF_8);
    Files.writeString(PAGES.resolve(name.replace(".html", ".json")), JSON.writeValueAsString(json));
    return page;
  }

  private static void open(Path page) {
    browser.driver().get(page.toAbsolutePath().toUri().toString());
  }

  /** The {@code <data value>} in the element with this id. */
  private static String dataIn(String id) {
    return browser
        .driver()
        .findElement(By.id(id))
        .findElement(By.tagName("data"))
        .getDomAttribute("value");
  }

  private static String textOf(String id) {
    return browser.driver().findElement(By.id(id)).getText();
  }

  /** The same number: the data element's value, and its text without the thousands separators. */
  private static void assertShows(String id, JsonNode expected) {
    WebElement data = browser.driver().findElement(By.id(id)).findElement(By.tagName("data"));
    assertThat(
        id,
        new BigDecimal(data.getDomAttribute("value")).compareTo(expected.decimalValue()),
        is(0));
    assertThat(
        id,
        new BigDecimal(data.getText().replace(",", "")).compareTo(expected.decimalValue()),
        is(0));
  }

  /**
   * Each member of {@code object} is shown, as {@link #assertShows}, at {@code prefix + member}.
   */
  private static void assertShowsEach(String prefix, JsonNode object) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String member = it.next();
      assertShows(prefix + member, object.get(member));
    }
  }

  @Test
  void outcome_andRunFigures_areReportJsons() {
    assertThat(textOf("status"), equalTo(report.get("status").asText()));
    assertThat(textOf("status"), equalTo("SUCCEEDED"));
    assertThat(browser.driver().findElements(By.id("failure")), empty());
    assertThat(textOf("startTime"), equalTo(report.get("startTime").asText()));
    for (String member :
        List.of(
            "elapsedSeconds",
            "recordsPerSecond",
            "processingSeconds",
            "processingRecordsPerSecond",
            "retries")) {
      assertShows(member, report.get(member));
    }
    assertThat(browser.driver().getTitle(), startsWith("QKMS re-key SUCCEEDED"));
  }

  @Test
  void checks_showTheirValues_andVerdicts() {
    JsonNode checks = report.get("checks");
    assertThat(checks.get("countsAddUp").asBoolean(), is(true));
    assertThat(dataIn("check-countsAddUp"), equalTo("true"));
    assertThat(textOf("check-countsAddUp"), containsString("✓ passed"));
    assertThat(textOf("check-committedCountsMatch"), containsString("✓ passed"));
    assertShows("check-transientDeadLetters", checks.get("transientDeadLetters"));
    assertShows("check-deadLetterFraction", checks.get("deadLetterFraction"));
    assertShows("check-maxDeadLetterFraction", checks.get("maxDeadLetterFraction"));
    assertThat(
        browser.driver().findElements(By.cssSelector("#checks tbody tr")).size(),
        is(checks.size()));
  }

  @Test
  void records_fields_andCommittedCounts_areReportJsons() {
    JsonNode records = report.get("records");
    assertThat(records.get("read").asLong(), is(204L));
    assertThat(records.get("deadLettered").asLong(), is(4L));
    assertShowsEach("records-", records);
    assertShowsEach("committed-", report.get("committed"));
    assertShowsEach("fields-", report.get("fields"));
    assertThat(
        browser.driver().findElements(By.cssSelector("#records-table tbody tr")).size(),
        is(records.size()));
  }

  @Test
  void deadLetters_byErrorCode_areReportJsons() {
    JsonNode byCode = report.get("deadLetteredByErrorCode");
    assertThat(
        byCode,
        equalTo(
            JSON.valueToTree(
                Map.of(
                    "InvalidCiphertextException",
                    2,
                    "DisabledException",
                    1,
                    "ContextFieldMissing",
                    1))));
    assertShowsEach("dead-", byCode);
    List<WebElement> rows =
        browser.driver().findElements(By.cssSelector("#dead-letters-table tbody tr"));
    assertThat(rows.size(), is(byCode.size()));
    assertThat(rows.get(0).getDomAttribute("id"), equalTo("dead-InvalidCiphertextException"));
  }

  @Test
  void keyCache_andSettings_areReportJsons() {
    assertShowsEach("cache-", report.get("keyCache"));
    JsonNode run = report.get("run");
    for (Iterator<String> it = run.fieldNames(); it.hasNext(); ) {
      String m = it.next();
      WebElement row = browser.driver().findElement(By.id("setting-" + m));
      assertThat(row.findElement(By.tagName("th")).getText(), equalTo(m));
      assertThat(row.findElement(By.tagName("td")).getText(), equalTo(run.get(m).asText()));
    }
  }

  @Test
  void chart_plotsTheTimeline_andItsFiguresAreReportJsons() {
    JsonNode timeline = report.get("timeline");
    WebElement chart = browser.driver().findElement(By.id("throughput-chart"));
    assertThat(chart.getTagName(), equalTo("svg"));
    String points = chart.findElement(By.className("rate")).getDomAttribute("points");
    assertThat(points.trim().split("\\s+").length, is(2 * timeline.size())); // one step a point

    List<WebElement> rows =
        browser.driver().findElements(By.cssSelector("#timeline-table tbody tr"));
    assertThat(rows.size(), is(timeline.size()));
    double lastSeconds = 0;
    long lastRecords = 0;
    for (int i = 0; i < rows.size(); i++) {
      List<WebElement> data = rows.get(i).findElements(By.tagName("data"));
      JsonNode p = timeline.get(i);
      assertThat(
          new BigDecimal(data.get(0).getDomAttribute("value"))
              .compareTo(p.get("seconds").decimalValue()),
          is(0));
      assertThat(data.get(1).getDomAttribute("value"), equalTo(p.get("records").asText()));
      // records/s is computed from this point and the one before, and says so.
      double rate =
          (p.get("records").asLong() - lastRecords) / (p.get("seconds").asDouble() - lastSeconds);
      assertThat(
          Double.parseDouble(data.get(2).getDomAttribute("value")),
          is(Math.round(rate * 10) / 10.0));
      assertThat(data.get(2).getDomAttribute("class"), equalTo("computed"));
      lastSeconds = p.get("seconds").asDouble();
      lastRecords = p.get("records").asLong();
    }
  }

  @Test
  void everyNumberOnThePage_isOneOfReportJsons() {
    List<BigDecimal> inJson = new ArrayList<>();
    collectNumbers(report, inJson);
    @SuppressWarnings("unchecked")
    List<Map<String, String>> shown =
        (List<Map<String, String>>)
            browser.script(
                "return [...document.querySelectorAll('data:not(.computed)')]"
                    + ".map(d => ({value: d.value, text: d.textContent}));");
    assertThat(shown.size(), greaterThan(20));
    for (Map<String, String> d : shown) {
      if (d.get("value").equals("true") || d.get("value").equals("false")) {
        continue;
      }
      BigDecimal v = new BigDecimal(d.get("value"));
      assertThat(d.toString(), inJson.stream().anyMatch(j -> j.compareTo(v) == 0), is(true));
      assertThat(d.toString(), new BigDecimal(d.get("text").replace(",", "")).compareTo(v), is(0));
    }
  }

  private static void collectNumbers(JsonNode n, List<BigDecimal> out) {
    if (n.isNumber()) {
      out.add(n.decimalValue());
    }
    n.forEach(c -> collectNumbers(c, out));
  }

  @Test
  void page_isSelfContained_noScriptNoRequests() throws Exception {
    String html = Files.readString(PAGES.resolve("report.html"));
    assertThat(html, not(containsString("<script")));
    assertThat(html, not(containsString("<link")));
    assertThat(html, not(containsString("src=")));
    assertThat(html, not(containsString("url(")));
    assertThat(browser.script("return document.scripts.length;"), equalTo(0L));
    assertThat(
        browser.script("return performance.getEntriesByType('resource').length;"), equalTo(0L));
  }

  @Test
  void screenshots_wideAndNarrow() {
    browser.screenshot(SCREENSHOTS, "report-1-wide", true);
    try {
      browser.windowSize(390, 844);
      assertThat(
          (Long) browser.script("return document.documentElement.scrollWidth;"),
          lessThanOrEqualTo((Long) browser.script("return document.documentElement.clientWidth;")));
      browser.screenshot(SCREENSHOTS, "report-2-narrow", false);
      // What a phone shows further down: a screen from each of these sections.
      for (String section :
          List.of("checks", "records", "dead-letters", "throughput", "settings")) {
        browser.script("document.getElementById(arguments[0]).scrollIntoView();", section);
        browser.screenshot(SCREENSHOTS, "report-2-narrow-" + section, false);
      }
    } finally {
      browser.windowSize(1280, 1000);
    }
  }

  @Test
  void withoutATimeline_thePageSaysSo() throws Exception {
    ObjectNode old = report.deepCopy();
    old.remove("timeline");
    try {
      open(write("report-no-timeline.html", old));
      assertThat(
          textOf("throughput"),
          containsString("This report has no time series (report.json has no \"timeline\")"));
      assertThat(browser.driver().findElements(By.id("throughput-chart")), empty());
      assertShows("records-read", old.get("records").get("read"));
    } finally {
      open(PAGES.resolve("report.html"));
    }
  }

  @Test
  void aFailedRun_showsWhy_escaped() throws Exception {
    String why = "IllegalStateException: <script>alert('x')</script> & more";
    JsonNode failed =
        JSON.readTree(
            RunReport.unfinished(
                    Verdict.PIPELINE_FAILED,
                    why,
                    Instant.parse("2026-12-01T10:00:00Z"),
                    Duration.ofMillis(1234),
                    Map.of("runId", "run-1", "output", "/tmp/<out>"))
                .toJson());
    try {
      open(write("report-failed.html", failed));
      assertThat(textOf("status"), equalTo("FAILED"));
      assertThat(textOf("failure"), equalTo("Failure: " + why));
      assertThat(browser.script("return document.scripts.length;"), equalTo(0L));
      assertShows("elapsedSeconds", failed.get("elapsedSeconds"));
      // Nothing was counted: no check can say it passed.
      for (String check : List.of("countsAddUp", "transientDeadLetters", "deadLetterFraction")) {
        assertThat(check, textOf("check-" + check), containsString("not known"));
      }
      assertThat(textOf("not-counted"), startsWith("The run did not finish"));
      assertThat(textOf("setting-output"), containsString("/tmp/<out>"));
      browser.screenshot(SCREENSHOTS, "report-3-failed", true);
    } finally {
      open(PAGES.resolve("report.html"));
    }
  }
}
