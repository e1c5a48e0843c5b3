package io.qkms.pipeline.transform;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * S3 Batch Operations' rule for a job that is failing as a whole: once at least {@code minRecords}
 * records have been tried and more than {@code fraction} of them failed, stop, rather than
 * dead-letter the rest of a billion records one by one. Kept per DoFn instance (one thread), so
 * each worker decides on what it saw.
 */
final class FailFast {
  static final long DEFAULT_MIN_RECORDS = 1_000;

  private final double fraction;
  private final long minRecords;
  private long tried;
  private long failed;
  private final Map<String, Long> byCode = new TreeMap<>();

  FailFast(double fraction, long minRecords) {
    this.fraction = fraction;
    this.minRecords = minRecords;
  }

  void failed(String code) {
    failed++;
    byCode.merge(code, 1L, Long::sum);
  }

  /**
   * Counts one more record tried (after its outcome was noted).
   *
   * @throws TooManyFailuresException when the rule says stop
   */
  void check() {
    tried++;
    if (fraction < 1.0 && tried >= minRecords && failed > fraction * tried) {
      StringBuilder codes = new StringBuilder();
      byCode.forEach(
          (code, n) ->
              codes
                  .append(codes.length() == 0 ? "" : ", ")
                  .append(code)
                  .append(' ')
                  .append(String.format(Locale.ROOT, "%,d", n)));
      throw new TooManyFailuresException(
          String.format(
              Locale.ROOT,
              "%,d of the first %,d records one worker tried failed (%s), more than %s of them;"
                  + " the run stops rather than dead-letter the rest",
              failed,
              tried,
              codes,
              fraction == 0.5 ? "half" : String.format(Locale.ROOT, "%.4f", fraction)));
    }
  }
}
