package io.qkms.pipeline.report;

/**
 * How a run that started ended, and so its exit code. Decided from what the run reported, never
 * from the wording of a message. (Usage errors, exit 2, end a run before it starts.)
 */
public enum Verdict {
  /** Every check passed; {@code _SUCCESS} is written. Dead letters may exist, under the limit. */
  SUCCEEDED(0, "SUCCEEDED"),
  /** The pipeline did not finish (a runner, worker or I/O failure). */
  PIPELINE_FAILED(1, "FAILED: the pipeline failed"),
  /** Records read != written + dead-lettered, in the metrics or in the files. */
  COUNTS_DO_NOT_ADD_UP(3, "FAILED: the counts do not add up"),
  /** More dead letters than {@code --maxDeadLetterFraction}, or the run stopped early for that. */
  TOO_MANY_DEAD_LETTERS(4, "FAILED: too many dead letters"),
  /** Records were dead-lettered because the engine or its key store was unavailable. */
  TRANSIENT_DEAD_LETTERS(5, "FAILED: records were dead-lettered by transient errors");

  private final int exitCode;
  private final String headline;

  Verdict(int exitCode, String headline) {
    this.exitCode = exitCode;
    this.headline = headline;
  }

  /** The job's exit code for this verdict. */
  public int exitCode() {
    return exitCode;
  }

  /** The words of the summary's first line. */
  public String headline() {
    return headline;
  }

  public boolean succeeded() {
    return this == SUCCEEDED;
  }
}
