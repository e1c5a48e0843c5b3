package io.qkms.pipeline.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run did, and its verdict: the figures of {@code report.json} and of the summary printed at
 * the end ({@link ReportJson}, {@link RunSummary}), from the job's counters ({@link ReKeyMetrics})
 * and the records counted in the files, with the checks that decide the exit code (nothing lost;
 * dead letters under the limit; none for a transient reason).
 */
public final class RunReport {
  /**
   * Records counted in the files after the run: the input, and what the output and the dead-letter
   * sink committed (final files only). Unlike the runner's metrics, these cannot include work a
   * runner did twice or dropped.
   */
  public record Committed(long input, long written, long deadLettered) {}

  /** The {@link #run()} setting with the price of 10,000 requests of a run through an endpoint. */
  public static final String KMS_PRICE_PER_10K = "kmsPricePer10k";

  /** The {@link #run()} setting that names a run's KMS endpoint (absent for a key store). */
  public static final String KMS_ENDPOINT = "kmsEndpoint";

  private final Map<String, Long> counters;
  private final Committed committed;
  private final Verdict verdict;
  private final String failure;
  private final Instant start;
  private final Duration elapsed;
  private final Map<String, String> run;
  private final double maxDeadLetterFraction;
  private final List<Timeline.Point> timeline;

  private RunReport(
      Map<String, Long> counters,
      Committed committed,
      Verdict verdict,
      String failure,
      Instant start,
      Duration elapsed,
      Map<String, String> run,
      double maxDeadLetterFraction,
      List<Timeline.Point> timeline) {
    this.counters = Map.copyOf(counters);
    this.committed = committed;
    this.verdict = verdict;
    this.failure = failure;
    this.start = start;
    this.elapsed = elapsed;
    this.run = run;
    this.maxDeadLetterFraction = maxDeadLetterFraction;
    this.timeline = List.copyOf(timeline);
  }

  /**
   * The report of a run that finished, with its checks applied in this order: the files against the
   * metrics, the metrics against each other, transient dead letters, the dead-letter fraction.
   *
   * @param counters the job's counters ({@link ReKeyMetrics#counters})
   * @param committed the records counted in the files, or null when they were not counted
   * @param run descriptive settings for the report (runner, input, output, ...)
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
            Verdict.SUCCEEDED,
            null,
            start,
            elapsed,
            run,
            maxDeadLetterFraction,
            List.of());
    if (committed != null && !r.committedCountsMatch()) {
      return r.with(
          Verdict.COUNTS_DO_NOT_ADD_UP,
          "the files hold "
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
      return r.with(
          Verdict.COUNTS_DO_NOT_ADD_UP,
          "read "
              + r.read()
              + " != written "
              + r.written()
              + " + dead-lettered "
              + r.deadLettered());
    }
    long transientFailures = r.transientDeadLetters();
    if (transientFailures > 0) {
      return r.with(
          Verdict.TRANSIENT_DEAD_LETTERS,
          transientFailures
              + " records were dead-lettered after their retries on transient errors ran out"
              + " (the engine or its key store was unavailable); replay them with"
              + " --replayDeadLetters once it is back");
    }
    if (r.deadLetterFraction() > maxDeadLetterFraction) {
      return r.with(
          Verdict.TOO_MANY_DEAD_LETTERS,
          String.format(
              Locale.ROOT,
              "dead letters are %.4f of the records read, more than --maxDeadLetterFraction=%s",
              r.deadLetterFraction(),
              maxDeadLetterFraction));
    }
    return r;
  }

  /** The report of a run that did not finish, with the verdict its failure calls for. */
  public static RunReport unfinished(
      Verdict verdict, String failure, Instant start, Duration elapsed, Map<String, String> run) {
    if (verdict.succeeded()) {
      throw new IllegalArgumentException("An unfinished run cannot have succeeded");
    }
    return new RunReport(
        Map.of(), null, verdict, failure, start, elapsed, run, Double.NaN, List.of());
  }

  /**
   * This report, of a run that failed after its checks passed (its own files could not be written,
   * say), with the counts it had.
   */
  public RunReport failedAfterwards(Verdict v, String why) {
    if (v.succeeded()) {
      throw new IllegalArgumentException("A failure cannot be a success");
    }
    return with(v, why);
  }

  private RunReport with(Verdict v, String why) {
    return new RunReport(
        counters, committed, v, why, start, elapsed, run, maxDeadLetterFraction, timeline);
  }

  /** This report with the run's records over time (see {@link Timeline}). */
  public RunReport withTimeline(List<Timeline.Point> points) {
    return new RunReport(
        counters, committed, verdict, failure, start, elapsed, run, maxDeadLetterFraction, points);
  }

  /** Records read over the run; empty when not sampled (runs on a cluster). */
  public List<Timeline.Point> timeline() {
    return timeline;
  }

  public Verdict verdict() {
    return verdict;
  }

  /** Why the run failed, or null. */
  public String failure() {
    return failure;
  }

  /** False when the run did not finish: it then has no counts. */
  public boolean finished() {
    return !counters.isEmpty();
  }

  /** The records counted in the files, or null when they were not counted. */
  public Committed committed() {
    return committed;
  }

  /** Descriptive settings of the run (runner, input, output, ...), for the report. */
  public Map<String, String> run() {
    return run;
  }

  public Instant start() {
    return start;
  }

  public double maxDeadLetterFraction() {
    return maxDeadLetterFraction;
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

  /** Records dead-lettered after their retries on transient engine errors ran out. */
  public long transientDeadLetters() {
    return counter(ReKeyMetrics.RECORDS_FAILED_TRANSIENT);
  }

  public long counter(String name) {
    return counters.getOrDefault(name, 0L);
  }

  public long read() {
    return counter(ReKeyMetrics.RECORDS_READ);
  }

  public long written() {
    return counter(ReKeyMetrics.RECORDS_WRITTEN);
  }

  public long deadLettered() {
    return counter(ReKeyMetrics.RECORDS_DEAD_LETTERED);
  }

  /** Every record read was written or dead-lettered, and the transform's own counts agree. */
  public boolean countsAddUp() {
    return read() == written() + deadLettered()
        && counter(ReKeyMetrics.RECORDS_IN) == read()
        && counter(ReKeyMetrics.RECORDS_FAILED) == deadLettered()
        && counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED)
                + counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT)
                + counter(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION)
                + counter(ReKeyMetrics.RECORDS_PASSED_THROUGH)
            == written();
  }

  public double deadLetterFraction() {
    return read() == 0 ? 0.0 : (double) deadLettered() / read();
  }

  /** Dead letters by error code. */
  public Map<String, Long> deadLettersByCode() {
    return byCode(ReKeyMetrics.FAILED_PREFIX);
  }

  /** Dead letters whose retries on transient errors ran out, by error code. */
  public Map<String, Long> transientDeadLettersByCode() {
    return byCode(ReKeyMetrics.FAILED_TRANSIENT_PREFIX);
  }

  private Map<String, Long> byCode(String prefix) {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      if (e.getKey().startsWith(prefix) && e.getValue() > 0) {
        out.put(e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    return out;
  }

  public long cacheHits() {
    return counter(ReKeyMetrics.CACHE_METADATA_HITS) + counter(ReKeyMetrics.CACHE_MATERIAL_HITS);
  }

  public long cacheMisses() {
    return counter(ReKeyMetrics.CACHE_METADATA_MISSES)
        + counter(ReKeyMetrics.CACHE_MATERIAL_MISSES);
  }

  public long cacheEvictions() {
    return counter(ReKeyMetrics.CACHE_METADATA_EVICTIONS)
        + counter(ReKeyMetrics.CACHE_MATERIAL_EVICTIONS);
  }

  /** Hits / lookups, or NaN when there were no lookups. */
  public double cacheHitRate() {
    long total = cacheHits() + cacheMisses();
    return total == 0 ? Double.NaN : (double) cacheHits() / total;
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
    Long from = counters.get(ReKeyMetrics.ACTIVE_FROM);
    Long to = counters.get(ReKeyMetrics.ACTIVE_TO);
    return from == null || to == null ? 0 : (to - from) / 1000.0;
  }

  /** Epoch milliseconds of the first record the transform processed, or -1 when unknown. */
  public long processingStartMillis() {
    Long from = counters.get(ReKeyMetrics.ACTIVE_FROM);
    return from == null ? -1 : from;
  }

  /** Records read per second of the processing window (start-up excluded). */
  public double processingRecordsPerSecond() {
    double s = processingSeconds();
    return s <= 0 ? 0 : read() / s;
  }

  /** Whether the run re-encrypted through a KMS endpoint (and so has its request figures). */
  public boolean remote() {
    return run.containsKey(KMS_ENDPOINT);
  }

  /** ReEncrypt operations sent to the endpoint (batch items and retries count). */
  public long kmsRequests() {
    return counter(ReKeyMetrics.KMS_REENCRYPT_CALLS);
  }

  public long kmsThrottled() {
    return counter(ReKeyMetrics.KMS_THROTTLED);
  }

  /** ReEncrypt operations that failed without an answer (5xx, dropped connection, timeout). */
  public long kmsFailed() {
    return counter(ReKeyMetrics.KMS_FAILED);
  }

  /** ReEncrypt operations the endpoint accepted: neither throttled nor failed. */
  public long kmsAccepted() {
    return kmsRequests() - kmsThrottled() - kmsFailed();
  }

  /** Seconds workers spent throttled, summed over worker JVMs. */
  public double kmsThrottledSeconds() {
    return counter(ReKeyMetrics.KMS_THROTTLED_MILLIS) / 1000.0;
  }

  /** ReEncrypt operations the endpoint accepted per second of processing. */
  public double kmsAchievedRequestsPerSecond() {
    double s = processingSeconds();
    return s <= 0 ? 0 : kmsAccepted() / s;
  }

  /**
   * The requests' estimated price: accepted ReEncrypt operations and DescribeKey calls, at the
   * run's price per 10,000 (throttled and failed requests are not billed).
   */
  public double kmsEstimatedCost() {
    String price = run.get(KMS_PRICE_PER_10K);
    double per10k = price == null ? 0 : Double.parseDouble(price);
    return (kmsAccepted() + counter(ReKeyMetrics.KMS_DESCRIBE_CALLS)) / 10_000.0 * per10k;
  }

  /** {@code report.json}. */
  public String toJson() {
    return ReportJson.of(this);
  }

  /** {@code report.html}: report.json as a page ({@link ReportPage}). */
  public String toHtml() {
    return ReportPage.render(toJson());
  }

  /** The short summary printed at the end of a run. */
  public String summary() {
    return RunSummary.of(this);
  }
}
