package io.qkms.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.metrics.DistributionResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * What a run did, from its metrics: the figures of {@code report.json} and of the summary printed
 * at the end, and the checks that decide the exit code (nothing lost; dead letters under the
 * limit). Counters are read as "attempted" values, the only kind the Flink runner has.
 */
public final class RunReport {
  /** How the run ended. */
  public enum Status {
    SUCCEEDED,
    FAILED
  }

  /**
   * Error codes of transient failures: a record dead-lettered with one of them was not re-keyed
   * because the engine or its key store was unavailable, not because of the record.
   */
  public static final Set<String> TRANSIENT_CODES =
      Set.of("DependencyTimeoutException", "KeyUnavailableException", "KMSInternalException");

  /**
   * Records counted in the files after the run: the input, and what the output and the dead-letter
   * sink committed (final files only). Unlike the runner's metrics, these cannot include work a
   * runner did twice or dropped.
   */
  public record Committed(long input, long written, long deadLettered) {}

  static final String ACTIVE_FROM = RekeyMetrics.ACTIVE_MILLIS + ".min";
  static final String ACTIVE_TO = RekeyMetrics.ACTIVE_MILLIS + ".max";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Long> counters;
  private final Status status;
  private final String failure;
  private final Instant start;
  private final Duration elapsed;
  private final Map<String, String> run;
  private final double maxDeadLetterFraction;
  private final Committed committed;

  private RunReport(
      Map<String, Long> counters,
      Committed committed,
      Status status,
      String failure,
      Instant start,
      Duration elapsed,
      Map<String, String> run,
      double maxDeadLetterFraction) {
    this.counters = counters;
    this.committed = committed;
    this.status = status;
    this.failure = failure;
    this.start = start;
    this.elapsed = elapsed;
    this.run = run;
    this.maxDeadLetterFraction = maxDeadLetterFraction;
  }

  /** The job's counters (namespace {@link RekeyMetrics#NAMESPACE}), summed over steps. */
  /**
   * The job's counters once they stop moving: a runner may still be applying the last bundle's
   * metric updates when {@code waitUntilFinish} returns; on Flink the first read is final.
   */
  public static Map<String, Long> settledCounters(MetricResults metrics) {
    Map<String, Long> last = counters(metrics);
    for (int i = 0; i < 100; i++) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
      Map<String, Long> now = counters(metrics);
      if (now.equals(last)) {
        return now;
      }
      last = now;
    }
    return last;
  }

  public static Map<String, Long> counters(MetricResults metrics) {
    MetricQueryResults q =
        metrics.queryMetrics(
            MetricsFilter.builder()
                .addNameFilter(MetricNameFilter.inNamespace(RekeyMetrics.NAMESPACE))
                .build());
    Map<String, Long> out = new TreeMap<>();
    // Committed values where the runner has them (Direct): its attempted values can miss part of
    // a bundle's updates. Flink has only attempted values, which are final once a job is done.
    for (MetricResult<Long> c : q.getCounters()) {
      Long v = c.hasCommitted() ? c.getCommitted() : c.getAttempted();
      out.merge(c.getName().getName(), v == null ? 0L : v, Long::sum);
    }
    // The processing window: earliest and latest activity over all steps.
    for (MetricResult<DistributionResult> d : q.getDistributions()) {
      DistributionResult r = d.hasCommitted() ? d.getCommitted() : d.getAttempted();
      if (r != null
          && r.getCount() > 0
          && d.getName().getName().equals(RekeyMetrics.ACTIVE_MILLIS)) {
        out.merge(ACTIVE_FROM, r.getMin(), Math::min);
        out.merge(ACTIVE_TO, r.getMax(), Math::max);
      }
    }
    return out;
  }

  /**
   * The report of a run that finished, with its checks applied: counts that do not add up, or too
   * many dead letters, make it FAILED.
   *
   * @param run descriptive settings for the report (runner, input, output, ...)
   */
  public static RunReport of(
      Map<String, Long> counters,
      Instant start,
      Duration elapsed,
      Map<String, String> run,
      double maxDeadLetterFraction) {
    return of(counters, null, start, elapsed, run, maxDeadLetterFraction);
  }

  /**
   * As {@link #of(Map, Instant, Duration, Map, double)}, also checking the metrics against the
   * records counted in the files ({@code committed}; null when they were not counted).
   */
  public static RunReport of(
      Map<String, Long> counters,
      Committed committed,
      Instant start,
      Duration elapsed,
      Map<String, String> run,
      double maxDeadLetterFraction) {
    RunReport r =
        new RunReport(
            counters,
            committed,
            Status.SUCCEEDED,
            null,
            start,
            elapsed,
            run,
            maxDeadLetterFraction);
    if (committed != null && !r.committedCountsMatch()) {
      return r.failed(
          "counts do not add up: the files hold "
              + committed.input()
              + " input records, "
              + committed.written()
              + " written and "
              + committed.deadLettered()
              + " dead-lettered; the metrics say read "
              + r.read()
              + ", written "
              + r.written()
              + ", dead-lettered "
              + r.deadLettered());
    }
    if (!r.countsAddUp()) {
      return r.failed(
          "counts do not add up: read "
              + r.read()
              + " != written "
              + r.written()
              + " + dead-lettered "
              + r.deadLettered());
    }
    long transientFailures = r.transientDeadLetters();
    if (transientFailures > 0) {
      return r.failed(
          "transient failures: "
              + transientFailures
              + " records were dead-lettered because the engine or its key store was"
              + " unavailable ("
              + r.transientCodes()
              + "); replay them with --replayDeadLetters once it is back");
    }
    if (r.deadLetterFraction() > maxDeadLetterFraction) {
      return r.failed(
          String.format(
              Locale.ROOT,
              "dead letters are %.4f of the records read, more than --maxDeadLetterFraction=%s",
              r.deadLetterFraction(),
              maxDeadLetterFraction));
    }
    return r;
  }

  /** The report of a run that did not finish. */
  public static RunReport failedRun(
      String failure, Instant start, Duration elapsed, Map<String, String> run) {
    return new RunReport(Map.of(), null, Status.FAILED, failure, start, elapsed, run, 1.0);
  }

  private RunReport failed(String why) {
    return new RunReport(
        counters, committed, Status.FAILED, why, start, elapsed, run, maxDeadLetterFraction);
  }

  /** The records counted in the files, or null when they were not counted. */
  public Committed committed() {
    return committed;
  }

  /**
   * The files agree with the metrics and with each other: every input record is in the output or
   * the dead letters, and the runner counted exactly what was committed.
   */
  public boolean committedCountsMatch() {
    return committed == null
        || (committed.input() == committed.written() + committed.deadLettered()
            && committed.input() == read()
            && committed.written() == written()
            && committed.deadLettered() == deadLettered());
  }

  /** Records dead-lettered with a {@link #TRANSIENT_CODES transient} error code. */
  public long transientDeadLetters() {
    long n = 0;
    for (Map.Entry<String, Long> e : deadLettersByCode().entrySet()) {
      if (TRANSIENT_CODES.contains(e.getKey())) {
        n += e.getValue();
      }
    }
    return n;
  }

  private String transientCodes() {
    StringBuilder s = new StringBuilder();
    deadLettersByCode()
        .forEach(
            (code, count) -> {
              if (TRANSIENT_CODES.contains(code)) {
                s.append(s.length() == 0 ? "" : ", ").append(code).append(' ').append(count);
              }
            });
    return s.toString();
  }

  public Status status() {
    return status;
  }

  /** Why the run failed, or null. */
  public String failure() {
    return failure;
  }

  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }

  public long read() {
    return counter(RekeyMetrics.RECORDS_READ);
  }

  public long written() {
    return counter(RekeyMetrics.RECORDS_WRITTEN);
  }

  public long deadLettered() {
    return counter(RekeyMetrics.RECORDS_DEAD_LETTERED);
  }

  /** Every record read was written or dead-lettered, and the transform's own counts agree. */
  public boolean countsAddUp() {
    return read() == written() + deadLettered()
        && counter(RekeyMetrics.RECORDS_IN) == read()
        && counter(RekeyMetrics.RECORDS_FAILED) == deadLettered()
        && counter(RekeyMetrics.RECORDS_RE_ENCRYPTED)
                + counter(RekeyMetrics.RECORDS_SKIPPED_AS_CURRENT)
                + counter(RekeyMetrics.RECORDS_PASSED_THROUGH)
            == written();
  }

  public double deadLetterFraction() {
    return read() == 0 ? 0.0 : (double) deadLettered() / read();
  }

  /** Dead letters by error code. */
  public Map<String, Long> deadLettersByCode() {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      if (e.getKey().startsWith(RekeyMetrics.FAILED_PREFIX) && e.getValue() > 0) {
        out.put(e.getKey().substring(RekeyMetrics.FAILED_PREFIX.length()), e.getValue());
      }
    }
    return out;
  }

  public long cacheHits() {
    return counter(RekeyMetrics.CACHE_METADATA_HITS) + counter(RekeyMetrics.CACHE_MATERIAL_HITS);
  }

  public long cacheMisses() {
    return counter(RekeyMetrics.CACHE_METADATA_MISSES)
        + counter(RekeyMetrics.CACHE_MATERIAL_MISSES);
  }

  public double cacheHitRate() {
    long total = cacheHits() + cacheMisses();
    return total == 0 ? 1.0 : (double) cacheHits() / total;
  }

  public Duration elapsed() {
    return elapsed;
  }

  public double recordsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s <= 0 ? 0 : read() / s;
  }

  /**
   * Seconds from the first to the last record the transform processed (start-up excluded), or 0
   * when unknown.
   */
  public double processingSeconds() {
    Long from = counters.get(ACTIVE_FROM);
    Long to = counters.get(ACTIVE_TO);
    return from == null || to == null ? 0 : (to - from) / 1000.0;
  }

  /** Epoch milliseconds of the first record the transform processed, or -1 when unknown. */
  public long processingStartMillis() {
    Long from = counters.get(ACTIVE_FROM);
    return from == null ? -1 : from;
  }

  /** Records read per second of the processing window (start-up excluded). */
  public double processingRecordsPerSecond() {
    double s = processingSeconds();
    return s <= 0 ? 0 : read() / s;
  }

  /** {@code report.json}. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", status.name());
    n.put("failure", failure);
    ObjectNode r = n.putObject("run");
    run.forEach(r::put);
    n.put("startTime", start.toString());
    n.put("elapsedSeconds", round(elapsed.toNanos() / 1e9, 3));
    n.put("recordsPerSecond", round(recordsPerSecond(), 1));
    n.put("processingSeconds", round(processingSeconds(), 3));
    n.put("processingRecordsPerSecond", round(processingRecordsPerSecond(), 1));
    ObjectNode records = n.putObject("records");
    records.put("read", read());
    records.put("written", written());
    records.put("reEncrypted", counter(RekeyMetrics.RECORDS_RE_ENCRYPTED));
    records.put("skippedAsCurrent", counter(RekeyMetrics.RECORDS_SKIPPED_AS_CURRENT));
    records.put("passedThroughAllNull", counter(RekeyMetrics.RECORDS_PASSED_THROUGH));
    records.put("deadLettered", deadLettered());
    ObjectNode byCode = n.putObject("deadLetteredByErrorCode");
    deadLettersByCode().forEach(byCode::put);
    ObjectNode fields = n.putObject("fields");
    fields.put("reEncrypted", counter(RekeyMetrics.FIELDS_RE_ENCRYPTED));
    fields.put("skippedAsCurrent", counter(RekeyMetrics.FIELDS_SKIPPED_AS_CURRENT));
    fields.put("nullPassedThrough", counter(RekeyMetrics.FIELDS_NULL));
    n.put("retries", counter(RekeyMetrics.RETRIES));
    ObjectNode cache = n.putObject("keyCache");
    cache.put("hits", cacheHits());
    cache.put("misses", cacheMisses());
    cache.put(
        "evictions",
        counter(RekeyMetrics.CACHE_METADATA_EVICTIONS)
            + counter(RekeyMetrics.CACHE_MATERIAL_EVICTIONS));
    cache.put("hitRate", round(cacheHitRate(), 4));
    if (committed != null) {
      ObjectNode c = n.putObject("committed");
      c.put("inputRecords", committed.input());
      c.put("written", committed.written());
      c.put("deadLettered", committed.deadLettered());
    }
    ObjectNode checks = n.putObject("checks");
    checks.put("countsAddUp", status == Status.FAILED && counters.isEmpty() ? null : countsAddUp());
    if (committed != null) {
      checks.put("committedCountsMatch", committedCountsMatch());
    }
    checks.put("transientDeadLetters", transientDeadLetters());
    checks.put("deadLetterFraction", round(deadLetterFraction(), 6));
    checks.put("maxDeadLetterFraction", maxDeadLetterFraction);
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The short summary printed at the end of a run. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "QKMS re-key %s in %.1f s (%,.0f records/s; %,.0f records/s while processing)%n",
            status,
            elapsed.toNanos() / 1e9,
            recordsPerSecond(),
            processingRecordsPerSecond()));
    if (failure != null) {
      s.append("  failure: ").append(failure).append('\n');
    }
    if (!counters.isEmpty()) {
      s.append(
          String.format(
              Locale.ROOT,
              "  records: %,d read, %,d written (%,d re-encrypted, %,d already current,"
                  + " %,d all-null), %,d dead-lettered%n",
              read(),
              written(),
              counter(RekeyMetrics.RECORDS_RE_ENCRYPTED),
              counter(RekeyMetrics.RECORDS_SKIPPED_AS_CURRENT),
              counter(RekeyMetrics.RECORDS_PASSED_THROUGH),
              deadLettered()));
      if (committed != null) {
        s.append(
            String.format(
                Locale.ROOT,
                "  in the files: %,d input records, %,d written, %,d dead-lettered%n",
                committed.input(),
                committed.written(),
                committed.deadLettered()));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "  fields: %,d re-encrypted, %,d already current, %,d null passed through%n",
              counter(RekeyMetrics.FIELDS_RE_ENCRYPTED),
              counter(RekeyMetrics.FIELDS_SKIPPED_AS_CURRENT),
              counter(RekeyMetrics.FIELDS_NULL)));
      if (!deadLettersByCode().isEmpty()) {
        StringBuilder codes = new StringBuilder();
        deadLettersByCode()
            .forEach(
                (code, count) ->
                    codes
                        .append(codes.length() == 0 ? "" : ", ")
                        .append(code)
                        .append(' ')
                        .append(count));
        s.append("  dead letters: ")
            .append(codes)
            .append(" -> ")
            .append(run.get("deadLetter"))
            .append('\n');
      }
      s.append(
          String.format(
              Locale.ROOT,
              "  key cache hit rate %.2f%%, %,d retries%n",
              cacheHitRate() * 100,
              counter(RekeyMetrics.RETRIES)));
    }
    s.append("  output: ").append(run.get("output")).append('\n');
    return s.toString();
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
