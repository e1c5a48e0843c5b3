package io.qkms.pipeline.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunReportTest {
  static Map<String, Long> counters(long read, long written, long dead) {
    Map<String, Long> c = new HashMap<>();
    c.put(ReKeyMetrics.RECORDS_READ, read);
    c.put(ReKeyMetrics.RECORDS_IN, read);
    c.put(ReKeyMetrics.RECORDS_WRITTEN, written);
    c.put(ReKeyMetrics.RECORDS_RE_ENCRYPTED, written);
    c.put(ReKeyMetrics.RECORDS_DEAD_LETTERED, dead);
    c.put(ReKeyMetrics.RECORDS_FAILED, dead);
    c.put(ReKeyMetrics.FAILED_PREFIX + "DisabledException", dead);
    c.put(ReKeyMetrics.CACHE_MATERIAL_HITS, 98L);
    c.put(ReKeyMetrics.CACHE_MATERIAL_MISSES, 2L);
    c.put(ReKeyMetrics.ACTIVE_FROM, 1_000L);
    c.put(ReKeyMetrics.ACTIVE_TO, 2_000L);
    return c;
  }

  static RunReport report(Map<String, Long> c, double max) {
    return RunReport.of(
        c,
        null,
        Instant.parse("2026-01-01T00:00:00Z"),
        Duration.ofSeconds(2),
        Map.of("output", "/o"),
        max);
  }

  @Test
  void countsThatAddUp_succeed() {
    RunReport r = report(counters(10, 9, 1), 1.0);
    assertThat(r.verdict(), is(Verdict.SUCCEEDED));
    assertThat(r.verdict().exitCode(), is(0));
    assertThat(r.failure(), nullValue());
    assertThat(r.recordsPerSecond(), is(5.0));
    assertThat(r.cacheHitRate(), is(0.98));
  }

  @Test
  void aLostRecord_failsTheRun_namingTheCounts() {
    RunReport r = report(counters(10, 8, 1), 1.0);
    assertThat(r.verdict(), is(Verdict.COUNTS_DO_NOT_ADD_UP));
    assertThat(r.verdict().exitCode(), is(3));
    assertThat(r.failure(), equalTo("read 10 != written 8 + dead-lettered 1"));
  }

  @Test
  void tooManyDeadLetters_failTheRun() {
    RunReport r = report(counters(10, 8, 2), 0.1);
    assertThat(r.verdict(), is(Verdict.TOO_MANY_DEAD_LETTERS));
    assertThat(r.verdict().exitCode(), is(4));
    assertThat(
        r.failure(),
        equalTo(
            "dead letters are 0.2000 of the records read, more than --maxDeadLetterFraction=0.1"));
  }

  static RunReport withCommitted(Map<String, Long> c, RunReport.Committed committed) {
    return RunReport.of(
        c,
        committed,
        Instant.parse("2026-01-01T00:00:00Z"),
        Duration.ofSeconds(2),
        Map.of("output", "/o"),
        1.0);
  }

  @Test
  void transientDeadLetters_failTheRun_andSayToReplayThem() {
    Map<String, Long> c = counters(10, 7, 3);
    c.put(ReKeyMetrics.FAILED_PREFIX + "DisabledException", 1L);
    c.put(ReKeyMetrics.FAILED_PREFIX + "KMSInternalException", 2L);
    c.put(ReKeyMetrics.RECORDS_FAILED_TRANSIENT, 2L);

    RunReport r = report(c, 1.0);

    assertThat(r.verdict(), is(Verdict.TRANSIENT_DEAD_LETTERS));
    assertThat(r.verdict().exitCode(), is(5));
    assertThat(r.transientDeadLetters(), is(2L));
    assertThat(
        r.failure(),
        equalTo(
            "2 records were dead-lettered after their retries on transient errors ran out (the"
                + " engine or its key store was unavailable); replay them with"
                + " --replayDeadLetters once it is back"));
    assertThat(
        r.summary(),
        containsString(
            "next: once the engine is back, re-key them with the same settings and"
                + " --replayDeadLetters="));
  }

  @Test
  void committedFilesThatMatchTheMetrics_succeed_andAreReported() throws Exception {
    RunReport r = withCommitted(counters(10, 9, 1), new RunReport.Committed(10, 9, 1));

    assertThat(r.verdict(), is(Verdict.SUCCEEDED));
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertThat(n.get("committed").get("inputRecords").asLong(), is(10L));
    assertThat(n.get("committed").get("written").asLong(), is(9L));
    assertThat(n.get("committed").get("deadLettered").asLong(), is(1L));
    assertThat(n.get("checks").get("committedCountsMatch").asBoolean(), is(true));
    assertThat(r.summary(), containsString("in the files: 10 input records, 9 written, 1 dead"));
  }

  @Test
  void metricsThatCountARetriedAttemptTwice_failTheRun_evenWhenTheyAddUp() {
    // Attempted metrics that include a failed attempt's 4 records on every step still add up
    // (14 = 13 + 1); the files show what was committed.
    RunReport r = withCommitted(counters(14, 13, 1), new RunReport.Committed(10, 9, 1));

    assertThat(r.verdict(), is(Verdict.COUNTS_DO_NOT_ADD_UP));
    assertThat(
        r.failure(),
        equalTo(
            "the files hold 10 input records, 9 written and 1"
                + " dead-lettered; the metrics say read 14, written 13, dead-lettered 1"));
  }

  @Test
  void anInputRecordMissingFromTheFiles_failsTheRun() {
    RunReport r = withCommitted(counters(9, 8, 1), new RunReport.Committed(10, 8, 1));

    assertThat(r.verdict(), is(Verdict.COUNTS_DO_NOT_ADD_UP));
    assertThat(r.failure(), containsString("the files hold 10 input records, 8 written and 1"));
  }

  @Test
  void json_carriesTheFiguresOfTheIssue() throws Exception {
    JsonNode n = new ObjectMapper().readTree(report(counters(10, 9, 1), 1.0).toJson());
    assertThat(n.get("status").asText(), equalTo("SUCCEEDED"));
    assertThat(n.get("verdict").asText(), equalTo("SUCCEEDED"));
    assertThat(n.get("exitCode").asInt(), is(0));
    assertThat(n.get("records").get("read").asLong(), is(10L));
    assertThat(n.get("records").get("reEncrypted").asLong(), is(9L));
    assertThat(n.get("records").get("deadLettered").asLong(), is(1L));
    assertThat(n.get("deadLetteredByErrorCode").get("DisabledException").asLong(), is(1L));
    assertThat(n.get("elapsedSeconds").asDouble(), is(2.0));
    assertThat(n.get("recordsPerSecond").asDouble(), is(5.0));
    assertThat(n.get("processingSeconds").asDouble(), is(1.0));
    assertThat(n.get("processingRecordsPerSecond").asDouble(), is(10.0));
    assertThat(n.get("keyCache").get("hitRate").asDouble(), is(0.98));
    assertThat(n.get("checks").get("countsAddUp").asBoolean(), is(true));
  }

  @Test
  void summary_namesOutcomeCountsAndDeadLetterCodes() {
    String s = report(counters(10, 9, 1), 1.0).summary();
    assertThat(s, containsString("records: 10 read, 9 written (9 re-encrypted, 0 already current"));
    assertThat(s, containsString("dead letters: DisabledException 1"));
  }

  @Test
  void aSuccessWithDeadLetters_saysSoInItsFirstLine() {
    String summary = report(counters(10, 9, 1), 1.0).summary();
    assertThat(
        summary.lines().findFirst().orElseThrow(),
        equalTo(
            "QKMS re-key SUCCEEDED, with 1 dead letters: 10 records in 2.0 s (start-up included;"
                + " 10 records/s while processing)"));
  }

  @Test
  void aCleanSuccess_isABareSucceeded() {
    Map<String, Long> c = counters(10, 10, 0);
    c.remove(ReKeyMetrics.FAILED_PREFIX + "DisabledException");
    String summary = report(c, 1.0).summary();
    assertThat(summary, startsWith("QKMS re-key SUCCEEDED: 10 records in 2.0 s"));
    assertThat(summary, not(containsString("next:")));
  }

  @Test
  void aFailure_saysWhatToDoNext() {
    String summary = report(counters(10, 8, 2), 0.1).summary();
    assertThat(
        summary, startsWith("QKMS re-key FAILED: too many dead letters (exit 4): 10 records"));
    assertThat(
        summary,
        containsString(
            "next: each dead letter in null says why its record failed; fix the settings, then run"
                + " again with a new --output (this one keeps the failed run's report)"));
  }

  @Test
  void noKeyLookups_isNotCalledAHundredPercentHitRate() throws Exception {
    Map<String, Long> c = counters(10, 9, 1);
    c.remove(ReKeyMetrics.CACHE_MATERIAL_HITS);
    c.remove(ReKeyMetrics.CACHE_MATERIAL_MISSES);
    RunReport r = report(c, 1.0);
    assertThat(r.summary(), containsString("key cache: no lookups, 0 retries"));
    assertThat(
        new ObjectMapper().readTree(r.toJson()).get("keyCache").get("hitRate").isNull(), is(true));
  }

  @Test
  void anUnfinishedRun_hasItsVerdict_andNoCounts() throws Exception {
    RunReport r =
        RunReport.unfinished(
            Verdict.TOO_MANY_DEAD_LETTERS,
            "most records failed",
            Instant.parse("2026-01-01T00:00:00Z"),
            Duration.ofSeconds(3),
            Map.of("output", "/o"));
    assertThat(r.verdict().exitCode(), is(4));
    assertThat(
        r.summary(), startsWith("QKMS re-key FAILED: too many dead letters (exit 4) after 3.0 s"));
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertThat(n.get("status").asText(), equalTo("FAILED"));
    assertThat(n.get("failure").asText(), equalTo("most records failed"));
    assertThat(n.get("checks").get("countsAddUp").isNull(), is(true));
  }
}
