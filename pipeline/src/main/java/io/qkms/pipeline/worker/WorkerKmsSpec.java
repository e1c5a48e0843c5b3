package io.qkms.pipeline.worker;

import java.io.Serializable;

/**
 * What a worker needs to reach its KMS, and nothing secret: a key store ({@link EngineSpec}) or a
 * remote endpoint ({@code worker.remote.RemoteSpec}). Workers in one JVM share one engine or client
 * per equal spec, so implementations have value equality.
 */
public interface WorkerKmsSpec extends Serializable {
  /**
   * A lease on this JVM's KMS for the spec, opened on first use.
   *
   * @throws RuntimeException if it cannot be opened (a key store that does not open, a malformed
   *     endpoint)
   */
  WorkerKms acquire();

  /** The clock of the worker (cache expiry, dead-letter times); null: the system clock. */
  ClockSource clock();
}
