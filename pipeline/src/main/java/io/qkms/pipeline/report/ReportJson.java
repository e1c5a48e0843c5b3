package io.qkms.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code report.json}: every figure of a {@link RunReport}, for people and programs. */
final class ReportJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportJson() {}

  static String of(RunReport r) {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", r.verdict().succeeded() ? "SUCCEEDED" : "FAILED");
    n.put("verdict", r.verdict().name());
    n.put("exitCode", r.verdict().exitCode());
    n.put("failure", r.failure());
    ObjectNode run = n.putObject("run");
    r.run().forEach(run::put);
    n.put("startTime", r.start().toString());
    n.put("elapsedSeconds", round(r.elapsed().toNanos() / 1e9, 3));
    n.put("recordsPerSecond", round(r.recordsPerSecond(), 1));
    n.put("processingSeconds", round(r.processingSeconds(), 3));
    n.put("processingRecordsPerSecond", round(r.processingRecordsPerSecond(), 1));
    ObjectNode records = n.putObject("records");
    records.put("read", r.read());
    records.put("written", r.written());
    records.put("reEncrypted", r.counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED));
    records.put("skippedAsCurrent", r.counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT));
    records.put("skippedBySelection", r.counter(ReKeyMetrics.RECORDS_SKIPPED_BY_SELECTION));
    records.put("passedThroughAllNull", r.counter(ReKeyMetrics.RECORDS_PASSED_THROUGH));
    records.put("deadLettered", r.deadLettered());
    records.put("deadLetteredTransient", r.transientDeadLetters());
    ObjectNode byCode = n.putObject("deadLetteredByErrorCode");
    r.deadLettersByCode().forEach(byCode::put);
    ObjectNode transientByCode = n.putObject("deadLetteredTransientByErrorCode");
    r.transientDeadLettersByCode().forEach(transientByCode::put);
    ObjectNode fields = n.putObject("fields");
    fields.put("reEncrypted", r.counter(ReKeyMetrics.FIELDS_RE_ENCRYPTED));
    fields.put("skippedAsCurrent", r.counter(ReKeyMetrics.FIELDS_SKIPPED_AS_CURRENT));
    fields.put("skippedBySelection", r.counter(ReKeyMetrics.FIELDS_SKIPPED_BY_SELECTION));
    fields.put("nullPassedThrough", r.counter(ReKeyMetrics.FIELDS_NULL));
    n.put("retries", r.counter(ReKeyMetrics.RETRIES));
    ObjectNode cache = n.putObject("keyCache");
    cache.put("hits", r.cacheHits());
    cache.put("misses", r.cacheMisses());
    cache.put("evictions", r.cacheEvictions());
    if (Double.isNaN(r.cacheHitRate())) {
      cache.putNull("hitRate");
    } else {
      cache.put("hitRate", round(r.cacheHitRate(), 4));
    }
    if (r.remote() && r.finished()) {
      ObjectNode kms = n.putObject("kms");
      kms.put("endpoint", r.run().get(RunReport.KMS_ENDPOINT));
      kms.put("httpRequests", r.counter(ReKeyMetrics.KMS_HTTP_REQUESTS));
      kms.put("requestsSent", r.kmsRequests());
      kms.put("throttled", r.kmsThrottled());
      kms.put("throttledSeconds", round(r.kmsThrottledSeconds(), 3));
      kms.put("failed", r.kmsFailed());
      kms.put("describeKeyCalls", r.counter(ReKeyMetrics.KMS_DESCRIBE_CALLS));
      kms.put("achievedRequestsPerSecond", round(r.kmsAchievedRequestsPerSecond(), 1));
      kms.put("pricePer10k", Double.parseDouble(r.run().get(RunReport.KMS_PRICE_PER_10K)));
      kms.put("estimatedCost", round(r.kmsEstimatedCost(), 4));
      kms.put("fieldsWithoutQkmsHeader", r.counter(ReKeyMetrics.FIELDS_WITHOUT_QKMS_HEADER));
    }
    RunReport.Committed committed = r.committed();
    if (committed != null) {
      ObjectNode c = n.putObject("committed");
      c.put("inputRecords", committed.input());
      c.put("written", committed.written());
      c.put("deadLettered", committed.deadLettered());
    }
    if (!r.timeline().isEmpty()) {
      ArrayNode points = n.putArray("timeline");
      for (Timeline.Point p : r.timeline()) {
        points.addObject().put("seconds", p.seconds()).put("records", p.records());
      }
    }
    ObjectNode checks = n.putObject("checks");
    if (r.finished()) {
      checks.put("countsAddUp", r.countsAddUp());
      if (committed != null) {
        checks.put("committedCountsMatch", r.committedCountsMatch());
      }
      checks.put("transientDeadLetters", r.transientDeadLetters());
      checks.put("deadLetterFraction", round(r.deadLetterFraction(), 6));
      checks.put("maxDeadLetterFraction", r.maxDeadLetterFraction());
    } else {
      // A run that did not finish has no counts: its checks are not known.
      checks.putNull("countsAddUp");
      checks.putNull("transientDeadLetters");
      checks.putNull("deadLetterFraction");
    }
    try {
      return JSON.writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
