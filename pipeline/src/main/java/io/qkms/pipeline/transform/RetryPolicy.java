package io.qkms.pipeline.transform;

import io.qkms.engine.api.errors.KmsException;
import io.qkms.pipeline.worker.WorkerEngine;
import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the workers retry an engine call that failed with a transient error ({@link
 * KmsException#isRetryable()}): up to {@code maxAttempts} calls with {@link Backoff}'s jittered
 * waits; and when {@code outageRecords} records in a row (in one worker JVM, with no engine call
 * answered between them) have used up their retries, the engine is taken to be down (key store
 * unreadable, root key unavailable) and the work fails, for the runner to retry it or fail the job,
 * instead of dead-lettering the rest of the input slowly.
 */
final class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 1L;

  static final int DEFAULT_MAX_ATTEMPTS = 5;
  static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  static final int DEFAULT_OUTAGE_RECORDS = 5;

  private final Backoff backoff;
  private final int outageRecords;
  private final Backoff.Sleeper sleeper; // null: Thread.sleep; tests observe the waits instead

  private RetryPolicy(Backoff backoff, int outageRecords, Backoff.Sleeper sleeper) {
    this.backoff = backoff;
    this.outageRecords = outageRecords;
    this.sleeper = sleeper;
  }

  static RetryPolicy defaults() {
    return new RetryPolicy(
        new Backoff(DEFAULT_MAX_ATTEMPTS, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF),
        DEFAULT_OUTAGE_RECORDS,
        null);
  }

  RetryPolicy withMaxAttempts(int attempts) {
    return new RetryPolicy(backoff.withMaxAttempts(attempts), outageRecords, sleeper);
  }

  RetryPolicy withInitialBackoff(Duration initial) {
    return new RetryPolicy(backoff.withInitial(initial), outageRecords, sleeper);
  }

  RetryPolicy withOutageRecords(int records) {
    return new RetryPolicy(backoff, records, sleeper);
  }

  RetryPolicy withSleeper(Backoff.Sleeper s) {
    return new RetryPolicy(backoff, outageRecords, s);
  }

  int maxAttempts() {
    return backoff.maxAttempts();
  }

  Duration initialBackoff() {
    return backoff.initial();
  }

  int outageRecords() {
    return outageRecords;
  }

  /** One engine call, repeatable. */
  interface Call<R> {
    R run() throws KmsException;
  }

  /**
   * The outcome of a call: its result, or the error it ended with, the attempts made, and whether
   * that error was transient (retries used up) or permanent.
   */
  record Outcome<R>(R result, KmsException error, int attempts, boolean transientError) {
    boolean ok() {
      return error == null;
    }
  }

  /**
   * Runs {@code call} until it succeeds, fails permanently, or its attempts run out.
   *
   * @param onRetry told of each retry, for the counters
   * @throws IllegalStateException when the engine is down (see the class comment)
   */
  <R> Outcome<R> run(Call<R> call, WorkerEngine engine, Runnable onRetry) {
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        R result = call.run();
        engine.noteAnswered();
        return new Outcome<>(result, null, attempt, false);
      } catch (KmsException e) {
        if (!e.isRetryable()) {
          engine.noteAnswered();
          return new Outcome<>(null, e, attempt, false);
        }
        if (attempt >= backoff.maxAttempts()) {
          int inARow = engine.noteExhausted();
          if (inARow >= outageRecords) {
            // The engine is down, not this record. The message names the error, never a value.
            throw new IllegalStateException(
                "The QKMS engine failed "
                    + inARow
                    + " records in a row after "
                    + attempt
                    + " attempts each: "
                    + e.errorCode()
                    + ": "
                    + e.getMessage(),
                e);
          }
          return new Outcome<>(null, e, attempt, true);
        }
        onRetry.run();
        pause(attempt);
      }
    }
  }

  private void pause(int attempt) {
    try {
      (sleeper != null ? sleeper : Backoff.THREAD_SLEEP)
          .sleep(backoff.delayMillis(attempt, ThreadLocalRandom.current().nextDouble()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while backing off", e);
    }
  }
}
