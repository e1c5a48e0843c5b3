package io.qkms.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: a run's {@code report.json} as a page people can read. One self-contained
 * file (inline CSS and SVG, no script, nothing loaded from elsewhere) with the outcome and the
 * checks, records and fields by outcome, dead letters by error code, records per second over the
 * run, the key cache figures and the settings.
 *
 * <p>Every figure on the page is the one in the JSON it was rendered from, in a {@code <data
 * value="...">} element carrying the JSON number as written (the text shows it with thousands
 * separators). The only figures not in the JSON are labelled as computed from it: the records per
 * second between two points of the time series, and percentages next to fractions.
 *
 * <p>The time series is the optional member {@code timeline}: points in time order, each the
 * seconds since {@code startTime} and the records read by then, in total:
 *
 * <pre>{@code
 * "timeline": [{"seconds": 1.0, "records": 120000}, {"seconds": 2.0, "records": 410000}, ...]
 * }</pre>
 *
 * A point may also carry {@code recordsPerSecond} (over the interval since the previous point);
 * otherwise the page computes it. Without a timeline the page says there is none. Members the page
 * does not know (in {@code run}, {@code checks}, {@code records}, ...) are shown by their names.
 */
public final class ReportPage {
  /** The page's file name, beside {@code report.json}. */
  public static final String FILE = "report.html";

  private static final Map<String, String> RECORD_LABELS =
      labels(
          "read", "Read",
          "written", "Written",
          "reEncrypted", "Re-encrypted",
          "skippedAsCurrent", "Already under the destination key (skipped)",
          "skippedBySelection", "Not selected (passed through)",
          "passedThroughAllNull", "Every field null (passed through)",
          "deadLettered", "Dead-lettered");
  private static final Map<String, String> FIELD_LABELS =
      labels(
          "reEncrypted", "Re-encrypted",
          "skippedAsCurrent", "Already under the destination key (skipped)",
          "skippedBySelection", "Not selected (passed through)",
          "nullPassedThrough", "Null (passed through)");
  private static final Map<String, String> CHECK_LABELS =
      labels(
          "countsAddUp", "Every record read was written or dead-lettered",
          "committedCountsMatch", "The files hold exactly what the metrics counted",
          "transientDeadLetters", "Records dead-lettered by transient errors",
          "deadLetterFraction", "Dead letters, as a fraction of the records read",
          "maxDeadLetterFraction", "Most dead letters allowed (--maxDeadLetterFraction)");
  private static final Map<String, String> CACHE_LABELS =
      labels(
          "hits", "Hits",
          "misses", "Misses",
          "evictions", "Evictions",
          "hitRate", "Hit rate");
  private static final Map<String, String> COMMITTED_OF =
      labels("read", "inputRecords", "written", "written", "deadLettered", "deadLettered");

  /** Outcome colours of the record bar, by member. */
  private static final Map<String, String> OUTCOME_COLOURS =
      labels(
          "reEncrypted", "#1f6feb",
          "skippedAsCurrent", "#8fb8f6",
          "skippedBySelection", "#d9c27a",
          "passedThroughAllNull", "#b7c2cf",
          "deadLettered", "#c93c37");

  private final JsonNode report;
  private final StringBuilder out = new StringBuilder(32 * 1024);

  private ReportPage(JsonNode report) {
    this.report = report;
  }

  /** The page of a run's report.json text (as {@link RunReport#toJson()} writes it). */
  public static String render(String reportJson) {
    try {
      return render(new ObjectMapper().readTree(reportJson));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("report.json is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The page of a run's report.json tree. */
  public static String render(JsonNode report) {
    if (report == null || !report.isObject()) {
      throw new IllegalArgumentException("report.json must be a JSON object");
    }
    return new ReportPage(report).page();
  }

  private String page() {
    String status = text(report.get("status"), "UNKNOWN");
    String runId = text(report.path("run").get("runId"), null);
    out.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"color-scheme\" content=\"light\">\n")
        .append("<title>QKMS re-key ")
        .append(esc(status))
        .append(runId == null ? "" : " · " + esc(runId))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<main>\n");
    outcome(status);
    checks();
    records();
    fields();
    deadLetters();
    timeline();
    keyCache();
    settings();
    out.append("<footer><p>Rendered from <code>report.json</code> in the same directory; every")
        .append(" figure here is the one written there.</p></footer>\n</main>\n</body>\n</html>\n");
    return out.toString();
  }

  // ---- sections -----------------------------------------------------------------------------

  private void outcome(String status) {
    boolean ok = "SUCCEEDED".equals(status);
    out.append("<header class=\"head\">\n<p class=\"eyebrow\">QKMS re-key · run report</p>\n")
        .append("<h1>Run ")
        .append(esc(text(report.path("run").get("runId"), "")))
        .append(" <span id=\"status\" class=\"status ")
        .append(ok ? "ok" : "failed")
        .append("\">")
        .append(esc(status))
        .append("</span></h1>\n");
    JsonNode failure = report.get("failure");
    if (failure != null && !failure.isNull()) {
      out.append("<p id=\"failure\" class=\"failure\"><strong>Failure:</strong> ")
          .append(esc(failure.asText()))
          .append("</p>\n");
    }
    JsonNode start = report.get("startTime");
    if (start != null && !start.isNull()) {
      out.append("<p class=\"when\">Started <time id=\"startTime\">")
          .append(esc(start.asText()))
          .append("</time></p>\n");
    }
    out.append("<dl class=\"figures\">\n");
    figure("elapsedSeconds", "Elapsed", report.get("elapsedSeconds"), "s");
    figure("recordsPerSecond", "Records/s, whole run", report.get("recordsPerSecond"), null);
    figure("processingSeconds", "Processing", report.get("processingSeconds"), "s");
    figure(
        "processingRecordsPerSecond",
        "Records/s while processing",
        report.get("processingRecordsPerSecond"),
        null);
    figure("retries", "Retries", report.get("retries"), null);
    out.append("</dl>\n</header>\n");
  }

  private void figure(String id, String label, JsonNode value, String unit) {
    if (value == null || value.isMissingNode()) {
      return;
    }
    out.append("<div><dt>")
        .append(esc(label))
        .append("</dt><dd id=\"")
        .append(id)
        .append("\">")
        .append(value(value))
        .append(unit == null ? "" : " " + unit)
        .append("</dd></div>\n");
  }

  private void checks() {
    JsonNode checks = report.get("checks");
    section("checks", "Checks");
    if (checks == null || !checks.isObject() || checks.isEmpty()) {
      none("This report has no checks.");
      return;
    }
    out.append(
            "<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th scope=\"col\">Check</th>")
        .append("<th scope=\"col\" class=\"num\">Value</th><th scope=\"col\">Verdict</th>")
        .append("</tr></thead>\n<tbody>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = checks.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> c = it.next();
      String verdict = verdict(c.getKey(), c.getValue(), checks);
      out.append("<tr id=\"check-")
          .append(esc(c.getKey()))
          .append("\"><th scope=\"row\">")
          .append(esc(CHECK_LABELS.getOrDefault(c.getKey(), c.getKey())))
          .append(" <code>")
          .append(esc(c.getKey()))
          .append("</code></th><td class=\"num\">")
          .append(value(c.getValue()))
          .append(percentOf(c.getKey(), c.getValue()))
          .append("</td><td>")
          .append(verdict)
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table></div>\n</section>\n");
  }

  /** Passed or failed for the checks whose meaning is known; blank for settings and unknowns. */
  private static String verdict(String name, JsonNode v, JsonNode checks) {
    if (!ranToTheEnd(checks) && !name.equals("maxDeadLetterFraction")) {
      return "<span class=\"verdict unknown\">not known</span>";
    }
    Boolean pass =
        switch (name) {
          case "countsAddUp", "committedCountsMatch" -> v.isBoolean() ? v.asBoolean() : null;
          case "transientDeadLetters" -> v.isNumber() ? v.asLong() == 0 : null;
          case "deadLetterFraction" ->
              v.isNumber() && checks.path("maxDeadLetterFraction").isNumber()
                  ? v.decimalValue().compareTo(checks.get("maxDeadLetterFraction").decimalValue())
                      <= 0
                  : null;
          default -> null;
        };
    if (pass == null) {
      return v.isNull() && !name.equals("maxDeadLetterFraction")
          ? "<span class=\"verdict unknown\">not known</span>"
          : "";
    }
    return pass
        ? "<span class=\"verdict pass\">✓ passed</span>"
        : "<span class=\"verdict fail\">✗ failed</span>";
  }

  /** A run that did not finish has nothing counted: its checks say null where counts would be. */
  private static boolean ranToTheEnd(JsonNode checks) {
    return checks == null || !checks.has("countsAddUp") || !checks.get("countsAddUp").isNull();
  }

  private static String percentOf(String name, JsonNode v) {
    if ((name.equals("deadLetterFraction")
            || name.equals("maxDeadLetterFraction")
            || name.equals("hitRate"))
        && v.isNumber()) {
      return " <span class=\"aside\">("
          + String.format(Locale.ROOT, "%.2f", v.asDouble() * 100)
          + " %)</span>";
    }
    return "";
  }

  private void records() {
    JsonNode records = report.get("records");
    JsonNode committed = report.get("committed");
    section("records", "Records by outcome");
    if (records == null || !records.isObject() || records.isEmpty()) {
      none("This report has no record counts (the run did not finish).");
      return;
    }
    if (!ranToTheEnd(report.get("checks"))) {
      out.append("<p class=\"none\" id=\"not-counted\">The run did not finish: the job counted")
          .append(" nothing, and the figures below are not the run's.</p>\n");
    }
    recordBar(records);
    boolean files = committed != null && committed.isObject();
    out.append(
            "<div class=\"scroll\"><table class=\"counts\" id=\"records-table\">\n<thead><tr><th scope=\"col\">")
        .append("Records</th><th scope=\"col\" class=\"num\">Counted by the job</th>");
    if (files) {
      out.append("<th scope=\"col\" class=\"num\">In the files</th>");
    }
    out.append("</tr></thead>\n<tbody>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = records.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> r = it.next();
      String key = r.getKey();
      boolean sub =
          key.equals("reEncrypted")
              || key.equals("skippedAsCurrent")
              || key.equals("skippedBySelection")
              || key.equals("passedThroughAllNull");
      out.append("<tr id=\"records-")
          .append(esc(key))
          .append("\"")
          .append(sub ? " class=\"sub\"" : "")
          .append("><th scope=\"row\">")
          .append(swatch(key))
          .append(esc(RECORD_LABELS.getOrDefault(key, key)))
          .append("</th><td class=\"num\">")
          .append(value(r.getValue()))
          .append("</td>");
      if (files) {
        String of = COMMITTED_OF.get(key);
        out.append("<td class=\"num\"")
            .append(of == null ? "" : " id=\"committed-" + of + "\"")
            .append(">")
            .append(of == null || !committed.has(of) ? "" : value(committed.get(of)))
            .append("</td>");
      }
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table></div>\n</section>\n");
  }

  /** One bar, the records read split by outcome. */
  private void recordBar(JsonNode records) {
    double read = records.path("read").asDouble(0);
    if (read <= 0) {
      return;
    }
    out.append("<svg class=\"bar\" viewBox=\"0 0 1000 28\" preserveAspectRatio=\"none\"")
        .append(" role=\"img\" aria-label=\"The records read, by outcome\">\n");
    double x = 0;
    for (Map.Entry<String, String> o : OUTCOME_COLOURS.entrySet()) {
      double n = records.path(o.getKey()).asDouble(0);
      if (n <= 0) {
        continue;
      }
      double w = 1000 * n / read;
      out.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\"", x, w))
          .append(" height=\"28\" fill=\"")
          .append(o.getValue())
          .append("\"><title>")
          .append(esc(RECORD_LABELS.get(o.getKey())))
          .append(": ")
          .append(esc(records.get(o.getKey()).asText()))
          .append("</title></rect>\n");
      x += w;
    }
    out.append("</svg>\n");
  }

  private static String swatch(String key) {
    String colour = OUTCOME_COLOURS.get(key);
    return colour == null
        ? ""
        : "<span class=\"swatch\" style=\"background:" + colour + "\" aria-hidden=\"true\"></span>";
  }

  private void fields() {
    JsonNode fields = report.get("fields");
    section("fields", "Fields by outcome");
    if (fields == null || !fields.isObject() || fields.isEmpty()) {
      none("This report has no field counts.");
      return;
    }
    table("fields-table", "Fields", "Count", fields, FIELD_LABELS, "fields-");
    out.append("</section>\n");
  }

  private void deadLetters() {
    JsonNode byCode = report.get("deadLetteredByErrorCode");
    section("dead-letters", "Dead letters by error code");
    if (byCode == null || !byCode.isObject() || byCode.isEmpty()) {
      none("No record was dead-lettered.");
      return;
    }
    List<Map.Entry<String, JsonNode>> codes = new ArrayList<>();
    byCode.fields().forEachRemaining(codes::add);
    codes.sort(
        Comparator.comparing((Map.Entry<String, JsonNode> e) -> e.getValue().asLong())
            .reversed()
            .thenComparing(Map.Entry::getKey));
    long most = Math.max(1, codes.get(0).getValue().asLong());
    String where = text(report.path("run").get("deadLetter"), null);
    if (where != null) {
      out.append("<p>In <code>").append(esc(where)).append("</code>.</p>\n");
    }
    out.append(
            "<div class=\"scroll\"><table class=\"counts\" id=\"dead-letters-table\">\n<thead><tr>")
        .append("<th scope=\"col\">Error code</th><th scope=\"col\" class=\"num\">Records</th>")
        .append("<th scope=\"col\" class=\"barcell\"><span class=\"sr\">Share</span></th>")
        .append("</tr></thead>\n<tbody>\n");
    for (Map.Entry<String, JsonNode> c : codes) {
      boolean transientCode = report.path("deadLetteredTransientByErrorCode").has(c.getKey());
      double share = 100.0 * c.getValue().asLong() / most;
      out.append("<tr id=\"dead-")
          .append(esc(c.getKey()))
          .append("\"><th scope=\"row\"><code>")
          .append(esc(c.getKey()))
          .append("</code>")
          .append(
              transientCode
                  ? " <span class=\"tag\">transient: replay with --replayDeadLetters</span>"
                  : "")
          .append("</th><td class=\"num\">")
          .append(value(c.getValue()))
          .append("</td><td class=\"barcell\"><svg viewBox=\"0 0 100 10\"")
          .append(" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect width=\"")
          .append(String.format(Locale.ROOT, "%.2f", share))
          .append("\" height=\"10\" fill=\"#c93c37\"/></svg></td></tr>\n");
    }
    out.append("</tbody>\n</table></div>\n</section>\n");
  }

  private void timeline() {
    JsonNode timeline = report.get("timeline");
    section("throughput", "Records per second over the run");
    List<double[]> points = new ArrayList<>(); // seconds, records, records/s
    List<JsonNode> nodes = new ArrayList<>();
    if (timeline != null && timeline.isArray()) {
      double lastSeconds = 0;
      double lastRecords = 0;
      for (JsonNode p : timeline) {
        if (!p.path("seconds").isNumber() || !p.path("records").isNumber()) {
          continue;
        }
        double s = p.get("seconds").asDouble();
        double r = p.get("records").asDouble();
        double rate =
            p.path("recordsPerSecond").isNumber()
                ? p.get("recordsPerSecond").asDouble()
                : s > lastSeconds ? (r - lastRecords) / (s - lastSeconds) : 0;
        points.add(new double[] {s, r, rate});
        nodes.add(p);
        lastSeconds = s;
        lastRecords = r;
      }
    }
    if (points.isEmpty()) {
      none(
          "This report has no time series (report.json has no \"timeline\"), so there is no"
              + " chart.");
      return;
    }
    chart(points);
    out.append("<details id=\"timeline-figures\"><summary>The figures</summary>\n")
        .append("<div class=\"scroll\"><table class=\"counts\" id=\"timeline-table\">\n<thead><tr>")
        .append("<th scope=\"col\" class=\"num\">Seconds</th>")
        .append("<th scope=\"col\" class=\"num\">Records read by then</th>")
        .append("<th scope=\"col\" class=\"num\">Records/s since the point before</th>")
        .append("</tr></thead>\n<tbody>\n");
    for (int i = 0; i < points.size(); i++) {
      JsonNode p = nodes.get(i);
      out.append("<tr><td class=\"num\">")
          .append(value(p.get("seconds")))
          .append("</td><td class=\"num\">")
          .append(value(p.get("records")))
          .append("</td><td class=\"num\">")
          .append(
              p.path("recordsPerSecond").isNumber()
                  ? value(p.get("recordsPerSecond"))
                  : "<data value=\""
                      + plain(points.get(i)[2])
                      + "\" class=\"computed\">"
                      + grouped(plain(points.get(i)[2]))
                      + "</data>")
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table></div>\n<p class=\"aside\">Records/s is computed from two")
        .append(" consecutive points where report.json does not give it.</p>\n</details>\n")
        .append("</section>\n");
  }

  /** A step chart of records/s (each interval at its rate), with the run's average dashed. */
  private void chart(List<double[]> points) {
    final double w = 760;
    final double h = 260;
    final double left = 92;
    final double right = 16;
    final double top = 16;
    final double bottom = 40;
    double maxSeconds = points.get(points.size() - 1)[0];
    double maxRate = 0;
    for (double[] p : points) {
      maxRate = Math.max(maxRate, p[2]);
    }
    JsonNode average = report.get("processingRecordsPerSecond");
    if (average != null && average.isNumber()) {
      maxRate = Math.max(maxRate, average.asDouble());
    }
    double yMax = niceCeiling(maxRate);
    double xMax = maxSeconds > 0 ? maxSeconds : 1;
    double plotW = w - left - right;
    double plotH = h - top - bottom;
    java.util.function.DoubleUnaryOperator x = s -> left + plotW * s / xMax;
    java.util.function.DoubleUnaryOperator y = r -> top + plotH * (1 - r / yMax);

    out.append(
            "<figure class=\"chart\">\n<div class=\"plot\"><svg id=\"throughput-chart\" viewBox=\"0 0 ")
        .append(fmt(w))
        .append(' ')
        .append(fmt(h))
        .append("\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n")
        .append("<title id=\"chart-title\">Records per second over the run</title>\n")
        .append("<desc id=\"chart-desc\">")
        .append(points.size())
        .append(" points over ")
        .append(plain(maxSeconds))
        .append(" seconds; the highest rate ")
        .append(grouped(plain(Math.round(maxRate))))
        .append(" records/s.</desc>\n");
    // Grid and y axis labels.
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double gy = y.applyAsDouble(v);
      out.append("<line class=\"grid\" x1=\"")
          .append(fmt(left))
          .append("\" x2=\"")
          .append(fmt(w - right))
          .append("\" y1=\"")
          .append(fmt(gy))
          .append("\" y2=\"")
          .append(fmt(gy))
          .append("\"/><text class=\"tick\" x=\"")
          .append(fmt(left - 8))
          .append("\" y=\"")
          .append(fmt(gy + 4))
          .append("\" text-anchor=\"end\">")
          .append(grouped(plain(Math.round(v))))
          .append("</text>\n");
    }
    // X axis ticks.
    double step = niceStep(xMax / 6);
    for (double s = 0; s <= xMax + 1e-9; s += step) {
      double gx = x.applyAsDouble(s);
      out.append("<line class=\"axis\" x1=\"")
          .append(fmt(gx))
          .append("\" x2=\"")
          .append(fmt(gx))
          .append("\" y1=\"")
          .append(fmt(top + plotH))
          .append("\" y2=\"")
          .append(fmt(top + plotH + 5))
          .append("\"/><text class=\"tick\" x=\"")
          .append(fmt(gx))
          .append("\" y=\"")
          .append(fmt(top + plotH + 19))
          .append("\" text-anchor=\"middle\">")
          .append(plain(s))
          .append("</text>\n");
    }
    out.append("<text class=\"label\" x=\"")
        .append(fmt(left + plotW / 2))
        .append("\" y=\"")
        .append(fmt(h - 4))
        .append("\" text-anchor=\"middle\">seconds since the start</text>\n");
    // The steps: from the previous point's time to this one's, at this interval's rate.
    StringBuilder line = new StringBuilder();
    StringBuilder area = new StringBuilder();
    double prev = 0;
    area.append(fmt(x.applyAsDouble(0))).append(',').append(fmt(y.applyAsDouble(0)));
    for (double[] p : points) {
      double ry = y.applyAsDouble(p[2]);
      String a = fmt(x.applyAsDouble(prev)) + "," + fmt(ry);
      String b = fmt(x.applyAsDouble(p[0])) + "," + fmt(ry);
      line.append(line.length() == 0 ? "" : " ").append(a).append(' ').append(b);
      area.append(' ').append(a).append(' ').append(b);
      prev = p[0];
    }
    area.append(' ').append(fmt(x.applyAsDouble(prev))).append(',').append(fmt(y.applyAsDouble(0)));
    out.append("<polygon class=\"area\" points=\"")
        .append(area)
        .append("\"/>\n<polyline class=\"rate\" points=\"")
        .append(line)
        .append("\"/>\n");
    if (average != null && average.isNumber() && average.asDouble() > 0) {
      double ay = y.applyAsDouble(average.asDouble());
      out.append("<line class=\"average\" x1=\"")
          .append(fmt(left))
          .append("\" x2=\"")
          .append(fmt(w - right))
          .append("\" y1=\"")
          .append(fmt(ay))
          .append("\" y2=\"")
          .append(fmt(ay))
          .append("\"/><text class=\"avg-label\" x=\"")
          .append(fmt(w - right - 4))
          .append("\" y=\"")
          .append(fmt(ay - 6))
          .append("\" text-anchor=\"end\">average while processing: ")
          .append(grouped(average.decimalValue().toPlainString()))
          .append("</text>\n");
    }
    out.append("<line class=\"axis\" x1=\"")
        .append(fmt(left))
        .append("\" x2=\"")
        .append(fmt(w - right))
        .append("\" y1=\"")
        .append(fmt(top + plotH))
        .append("\" y2=\"")
        .append(fmt(top + plotH))
        .append("\"/>\n</svg></div>\n<figcaption>Records read per second, interval by interval")
        .append(" (from <code>timeline</code>); dashed: <code>processingRecordsPerSecond</code>.")
        .append("</figcaption>\n</figure>\n");
  }

  private void keyCache() {
    JsonNode cache = report.get("keyCache");
    section("key-cache", "Key cache");
    if (cache == null || !cache.isObject() || cache.isEmpty()) {
      none("This report has no key cache figures.");
      return;
    }
    out.append("<dl class=\"figures\">\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = cache.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> c = it.next();
      out.append("<div><dt>")
          .append(esc(CACHE_LABELS.getOrDefault(c.getKey(), c.getKey())))
          .append("</dt><dd id=\"cache-")
          .append(esc(c.getKey()))
          .append("\">")
          .append(value(c.getValue()))
          .append(percentOf(c.getKey(), c.getValue()))
          .append("</dd></div>\n");
    }
    out.append("</dl>\n<p class=\"aside\">Key metadata and key material lookups of the engine")
        .append(" on the workers, together.</p>\n</section>\n");
  }

  private void settings() {
    JsonNode run = report.get("run");
    section("settings", "Settings");
    if (run == null || !run.isObject() || run.isEmpty()) {
      none("This report has no settings.");
      return;
    }
    out.append("<div class=\"scroll\"><table class=\"settings\" id=\"settings-table\">\n<tbody>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = run.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> s = it.next();
      out.append("<tr id=\"setting-")
          .append(esc(s.getKey()))
          .append("\"><th scope=\"row\"><code>")
          .append(esc(s.getKey()))
          .append("</code></th><td>")
          .append(
              s.getValue().isValueNode()
                  ? esc(s.getValue().asText())
                  : esc(s.getValue().toString()))
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table></div>\n</section>\n");
  }

  // ---- building blocks ----------------------------------------------------------------------

  private void section(String id, String title) {
    out.append("<section id=\"")
        .append(id)
        .append("\" aria-labelledby=\"")
        .append(id)
        .append("-h\">\n<h2 id=\"")
        .append(id)
        .append("-h\">")
        .append(esc(title))
        .append("</h2>\n");
  }

  private void none(String why) {
    out.append("<p class=\"none\">").append(esc(why)).append("</p>\n</section>\n");
  }

  private void table(
      String id,
      String what,
      String column,
      JsonNode members,
      Map<String, String> labels,
      String rowPrefix) {
    out.append("<div class=\"scroll\"><table class=\"counts\" id=\"")
        .append(id)
        .append("\">\n<thead><tr><th scope=\"col\">")
        .append(esc(what))
        .append("</th><th scope=\"col\" class=\"num\">")
        .append(esc(column))
        .append("</th></tr></thead>\n<tbody>\n");
    for (Iterator<Map.Entry<String, JsonNode>> it = members.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> m = it.next();
      out.append("<tr id=\"")
          .append(rowPrefix)
          .append(esc(m.getKey()))
          .append("\"><th scope=\"row\">")
          .append(esc(labels.getOrDefault(m.getKey(), m.getKey())))
          .append("</th><td class=\"num\">")
          .append(value(m.getValue()))
          .append("</td></tr>\n");
    }
    out.append("</tbody>\n</table></div>\n");
  }

  /**
   * A JSON value for the page: a number as {@code <data value="<the JSON number>">} with thousands
   * separators in the text; true, false and null as words; text escaped.
   */
  static String value(JsonNode v) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return "<span class=\"null\">null</span>";
    }
    if (v.isNumber()) {
      String p =
          v.isIntegralNumber() ? v.bigIntegerValue().toString() : v.decimalValue().toPlainString();
      return "<data value=\"" + p + "\">" + grouped(p) + "</data>";
    }
    if (v.isBoolean()) {
      return "<data value=\"" + v.asBoolean() + "\">" + (v.asBoolean() ? "yes" : "no") + "</data>";
    }
    return esc(v.isValueNode() ? v.asText() : v.toString());
  }

  /** 1234567.5 as 1,234,567.5. */
  static String grouped(String plain) {
    boolean negative = plain.startsWith("-");
    String digits = negative ? plain.substring(1) : plain;
    int dot = digits.indexOf('.');
    String whole = dot < 0 ? digits : digits.substring(0, dot);
    StringBuilder g = new StringBuilder();
    for (int i = 0; i < whole.length(); i++) {
      if (i > 0 && (whole.length() - i) % 3 == 0) {
        g.append(',');
      }
      g.append(whole.charAt(i));
    }
    return (negative ? "-" : "") + g + (dot < 0 ? "" : digits.substring(dot));
  }

  private static String plain(double d) {
    BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
    if (b.scale() > 1) {
      b = b.setScale(1, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
    }
    return b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString();
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least v (1 for v <= 0). */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static double niceStep(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String text(JsonNode n, String fallback) {
    return n == null || n.isNull() || n.isMissingNode() ? fallback : n.asText();
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static final String CSS =
      """
      :root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--paper:#fff;--ground:#f4f6f8;\
      --ok:#116329;--ok-ground:#dafbe1;--bad:#b3261e;--bad-ground:#fdecea;--accent:#1f6feb}
      *{box-sizing:border-box}
      body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;\
      color:var(--ink);background:var(--ground)}
      main{max-width:1040px;margin:0 auto;padding:1.5rem 1.25rem 2rem}
      code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.875em}
      .eyebrow{margin:0;font-size:.8rem;font-weight:600;letter-spacing:.06em;\
      text-transform:uppercase;color:var(--accent)}
      h1{margin:.2rem 0 .6rem;font-size:1.7rem;line-height:1.25;overflow-wrap:anywhere}
      h2{margin:0 0 .75rem;font-size:1.2rem}
      .status{display:inline-block;vertical-align:.2rem;margin-left:.4rem;padding:.1rem .6rem;\
      border-radius:999px;font-size:.85rem;letter-spacing:.03em}
      .status.ok{background:var(--ok-ground);color:var(--ok)}
      .status.failed{background:var(--bad-ground);color:var(--bad)}
      .failure{margin:.25rem 0 1rem;padding:.6rem .8rem;border-left:5px solid var(--bad);\
      background:var(--bad-ground);overflow-wrap:anywhere}
      .head,section{background:var(--paper);border:1px solid var(--line);border-radius:8px;\
      padding:1.1rem 1.25rem;margin-bottom:1rem}
      .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));\
      gap:.75rem 1rem;margin:.5rem 0 0}
      .figures div{border-left:3px solid var(--line);padding-left:.6rem}
      .figures dt{font-size:.8rem;color:var(--muted)}
      .when{margin:0 0 .25rem;color:var(--muted)}
      .when time{font-variant-numeric:tabular-nums;color:var(--ink)}
      .scroll{overflow-x:auto}
      .figures dd{margin:0;font-size:1.15rem;font-weight:600;font-variant-numeric:tabular-nums;\
      overflow-wrap:anywhere}
      table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line);\
      vertical-align:top}
      thead th{font-size:.8rem;color:var(--muted);font-weight:600}
      tbody th{font-weight:500}
      .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      tr.sub th{padding-left:1.6rem;color:var(--muted)}
      .swatch{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.45rem;\
      vertical-align:-.05rem}
      .bar{display:block;width:100%;height:28px;border-radius:4px;margin:0 0 .75rem;\
      background:var(--ground)}
      .barcell{width:35%}
      .barcell svg{display:block;width:100%;height:10px;margin-top:.45rem}
      .verdict.pass{color:var(--ok);font-weight:600}
      .verdict.fail{color:var(--bad);font-weight:600}
      .verdict.unknown{color:var(--muted)}
      .aside,.none{color:var(--muted);font-size:.875rem}
      .none{margin:0}
      .null{color:var(--muted)}
      .tag{display:inline-block;margin-left:.4rem;padding:0 .45rem;border-radius:999px;\
      font-size:.75rem;background:#fff4e5;color:#7a3e00;border:1px solid #e3b37a}
      .chart{margin:0}
      .chart svg{display:block;width:100%;height:auto}
      .chart figcaption{color:var(--muted);font-size:.875rem;margin-top:.25rem}
      .grid{stroke:#e6eaef;stroke-width:1}
      .axis{stroke:#8c959f;stroke-width:1}
      .tick{fill:#57606a;font-size:11px;font-family:system-ui,"DejaVu Sans",sans-serif}
      .label{fill:#57606a;font-size:12px;font-family:system-ui,"DejaVu Sans",sans-serif}
      .area{fill:#1f6feb;fill-opacity:.14}
      .rate{fill:none;stroke:#1f6feb;stroke-width:2;stroke-linejoin:round}
      .average{stroke:#bf8700;stroke-width:1.5;stroke-dasharray:6 4}
      .avg-label{fill:#8a6100;font-size:11px;font-family:system-ui,"DejaVu Sans",sans-serif}
      details{margin-top:.75rem}
      summary{cursor:pointer;color:var(--accent)}
      .settings th{width:14rem;white-space:nowrap}
      .settings td{overflow-wrap:anywhere}
      .sr{position:absolute;left:-10000px}
      footer{color:var(--muted);font-size:.85rem}
      :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
      @media (max-width:600px){main{padding:1rem .6rem}.head,section{padding:.9rem}\
      th,td{padding:.35rem .4rem}.num{white-space:normal}th code{overflow-wrap:anywhere}\
      .figures{grid-template-columns:repeat(2,minmax(0,1fr))}\
      .settings th{width:auto;white-space:normal}.barcell{width:25%}\
      table{font-size:.875rem}.chart .plot{overflow-x:auto}.chart svg{min-width:600px}\
      .tick,.avg-label{font-size:14px}.label{font-size:15px}}
      @media print{body{background:#fff}.head,section{border-color:#999;break-inside:avoid}}
      """;
}
