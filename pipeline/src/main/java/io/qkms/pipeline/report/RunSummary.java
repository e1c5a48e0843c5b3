package io.qkms.pipeline.report;

import java.util.Locale;
import java.util.Map;

/**
 * The few lines printed at the end of a run: the verdict first (a run with dead letters says so in
 * its first line), then the counts, and after a failure what to do next.
 */
final class RunSummary {
  private RunSummary() {}

  static String of(RunReport r) {
    StringBuilder s = new StringBuilder();
    s.append(headline(r)).append('\n');
    if (r.failure() != null) {
      s.append("  failure: ").append(r.failure()).append('\n');
    }
    if (r.finished()) {
      s.append(
          String.format(
              Locale.ROOT,
              "  records: %,d read, %,d written (%,d re-encrypted, %,d already current,"
                  + " %,d not selected, %,d all-null), %,d dead-lettered%n",
              r.read(),
              r.written(),
              r.counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED),
              r.counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT),
              r.counter(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION),
              r.counter(ReKeyMetrics.RECORDS_PASSED_THROUGH),
              r.deadLettered()));
      RunReport.Committed c = r.committed();
      if (c != null) {
        s.append(
            String.format(
                Locale.ROOT,
                "  in the files: %,d input records, %,d written, %,d dead-lettered%n",
                c.input(),
                c.written(),
                c.deadLettered()));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "  fields: %,d re-encrypted, %,d already current, %,d not selected,"
                  + " %,d null passed through%n",
              r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED),
              r.counter(ReKeyMetrics.FIELDS_SKIPPED_AS_CURRENT),
              r.counter(ReKeyMetrics.FIELDS_SKIPPED_BY_SELECTION),
              r.counter(ReKeyMetrics.FIELDS_NULL)));
      if (!r.deadLettersByCode().isEmpty()) {
        s.append("  dead letters: ")
            .append(byCode(r.deadLettersByCode()))
            .append(" -> ")
            .append(r.run().get("deadLetter"))
            .append('\n');
      }
      if (r.remote()) {
        s.append(
            String.format(
                Locale.ROOT,
                "  KMS endpoint: %,d ReEncrypt requests (%,d throttled, %.1f s throttled%s),"
                    + " %,.0f requests/s accepted%s, about $%s at $%s per 10,000%n",
                r.kmsRequests(),
                r.kmsThrottled(),
                r.kmsThrottledSeconds(),
                r.kmsFailed() == 0
                    ? ""
                    : String.format(Locale.ROOT, ", %,d failed: 5xx or no answer", r.kmsFailed()),
                r.kmsAchievedRequestsPerSecond(),
                "none".equals(r.run().get("kmsMaxRequestsPerSecond"))
                    ? ""
                    : " (budget " + budget(r.run().get("kmsMaxRequestsPerSecond")) + "/s)",
                money(r.kmsEstimatedCost()),
                r.run().get(RunReport.KMS_PRICE_PER_10K)));
        long opaque = r.counter(ReKeyMetrics.FIELDS_WITHOUT_QKMS_HEADER);
        if (opaque > 0) {
          s.append(
              String.format(
                  Locale.ROOT,
                  "  --skipIfCurrent: %,d ciphertexts have no QKMS header (AWS KMS ones, say):"
                      + " the job cannot tell their material, so they were re-encrypted%n",
                  opaque));
        }
      }
      long lookups = r.cacheHits() + r.cacheMisses();
      s.append(
          lookups == 0
              ? String.format(
                  Locale.ROOT,
                  "  key cache: no lookups, %,d retries%n",
                  r.counter(ReKeyMetrics.RETRIES))
              : String.format(
                  Locale.ROOT,
                  "  key cache: %.2f%% hits of %,d lookups, %,d retries%n",
                  r.cacheHitRate() * 100,
                  lookups,
                  r.counter(ReKeyMetrics.RETRIES)));
    }
    s.append("  output: ").append(r.run().get("output")).append('\n');
    String next = next(r);
    if (next != null) {
      s.append("  next: ").append(next).append('\n');
    }
    return s.toString();
  }

  /**
   * {@code QKMS re-key SUCCEEDED, with 4 dead letters: 204 records in 7.9 s (start-up included;
   * 2,100 records/s while processing)}.
   */
  private static String headline(RunReport r) {
    StringBuilder h = new StringBuilder("QKMS re-key ").append(r.verdict().headline());
    if (r.verdict().succeeded() && r.deadLettered() > 0) {
      h.append(String.format(Locale.ROOT, ", with %,d dead letters", r.deadLettered()));
    }
    if (!r.verdict().succeeded()) {
      h.append(" (exit ").append(r.verdict().exitCode()).append(')');
    }
    double seconds = r.elapsed().toNanos() / 1e9;
    if (!r.finished()) {
      return h.append(String.format(Locale.ROOT, " after %.1f s", seconds)).toString();
    }
    h.append(String.format(Locale.ROOT, ": %,d records in %.1f s", r.read(), seconds));
    if (r.processingSeconds() > 0) {
      h.append(
          String.format(
              Locale.ROOT,
              " (start-up included; %,.0f records/s while processing)",
              r.processingRecordsPerSecond()));
    }
    return h.toString();
  }

  /** What to do after a failed run; null after a success. */
  private static String next(RunReport r) {
    String newOutput = "run again with a new --output (this one keeps the failed run's report)";
    return switch (r.verdict()) {
      case SUCCEEDED -> null;
      case PIPELINE_FAILED ->
          "fix the cause above, then "
              + (r.run().containsKey("resume.attempt")
                  ? "finish the run where it stopped: the same options with --resume instead of"
                      + " --resumable (the shards committed so far are kept)"
                  : newOutput);
      case COUNTS_DO_NOT_ADD_UP ->
          "keep "
              + r.run().get("output")
              + " for inspection (a runner fault or a bug); "
              + newOutput;
      case TOO_MANY_DEAD_LETTERS ->
          "each dead letter in "
              + r.run().get("deadLetter")
              + " says why its record failed; fix the settings, then "
              + newOutput;
      case TRANSIENT_DEAD_LETTERS ->
          "once the engine is back, re-key them with the same settings and --replayDeadLetters="
              + r.run().get("deadLetter")
              + " --output=<a new directory> (no --input)";
    };
  }

  private static String budget(String requestsPerSecond) {
    return String.format(Locale.ROOT, "%,.0f", Double.parseDouble(requestsPerSecond));
  }

  private static String money(double dollars) {
    return dollars == 0
        ? "0"
        : dollars < 0.01
            ? String.format(Locale.ROOT, "%.4f", dollars)
            : String.format(Locale.ROOT, "%,.2f", dollars);
  }

  private static String byCode(Map<String, Long> byCode) {
    StringBuilder codes = new StringBuilder();
    byCode.forEach(
        (code, count) ->
            codes.append(codes.length() == 0 ? "" : ", ").append(code).append(' ').append(count));
    return codes.toString();
  }
}
