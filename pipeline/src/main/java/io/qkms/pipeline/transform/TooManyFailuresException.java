package io.qkms.pipeline.transform;

/**
 * Thrown by the {@link ReEncrypt} workers when most records fail (see {@link
 * ReEncrypt.Records#withFailFast}): the settings are wrong, not the records, and the run stops
 * early. Runners report it as the pipeline's failure; the job's launcher finds it by its class
 * name, which survives the serialization of a Flink cluster's failures.
 */
public final class TooManyFailuresException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TooManyFailuresException(String message) {
    super(message);
  }
}
