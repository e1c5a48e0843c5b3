package io.qkms.pipeline.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** report.html's text, without a browser (ReportPageTest looks at it in one). */
class ReportPageTextTest {
  @Test
  void rendersRunReportsJson_asWritten() {
    Map<String, Long> c = RunReportTest.counters(1_234_567, 1_234_560, 7);
    String json =
        RunReport.of(
                c,
                null,
                Instant.parse("2026-01-01T00:00:00Z"),
                Duration.ofSeconds(2),
                Map.of(),
                1.0)
            .toJson();

    String page = ReportPage.render(json);

    assertThat(page, containsString("<data value=\"1234567\">1,234,567</data>"));
    assertThat(page, containsString("<span id=\"status\" class=\"status ok\">SUCCEEDED</span>"));
    assertThat(page, not(containsString("<script")));
  }

  @Test
  void notJson_orNotAnObject_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ReportPage.render("{\"status\": "));
    assertThat(e.getMessage(), containsString("report.json is not JSON"));
    assertThrows(IllegalArgumentException.class, () -> ReportPage.render("[1, 2]"));
  }

  @Test
  void textFromTheReport_isEscaped() {
    String page =
        ReportPage.render(
            "{\"status\": \"<b>\", \"failure\": \"a < b & \\\"c\\\"\","
                + " \"run\": {\"runId\": \"<img src=x>\", \"output\": \"/tmp/'o'\"},"
                + " \"deadLetteredByErrorCode\": {\"<x>\": 1}}");

    assertThat(page, not(containsString("<b>")));
    assertThat(page, not(containsString("<img")));
    assertThat(page, not(containsString("<x>")));
    assertThat(page, containsString("a &lt; b &amp; &quot;c&quot;"));
    assertThat(page, containsString("/tmp/&#39;o&#39;"));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "999, 999",
    "1000, '1,000'",
    "1234567.25, '1,234,567.25'",
    "-1234, '-1,234'",
    "0.0196, 0.0196"
  })
  void numbers_getThousandsSeparators_only(String plain, String shown) {
    assertThat(ReportPage.grouped(plain), equalTo(shown));
  }

  @ParameterizedTest
  @CsvSource({"0, 1", "7, 10", "120, 200", "151, 200", "240, 250", "260, 500", "300000, 500000"})
  void chartScale_isARoundNumberAboveTheHighest(double highest, double scale) {
    assertThat(ReportPage.niceCeiling(highest), equalTo(scale));
  }
}
