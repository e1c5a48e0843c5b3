package io.qkms.pipeline.worker.remote;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link RemoteClient} per worker JVM and {@link RemoteSpec}, shared by every DoFn instance:
 * DoFns acquire in {@code @Setup} and release in {@code @Teardown}; the last release closes the
 * client (its HTTP connections and threads). The JVM's part of the job's request budget follows its
 * users: each DoFn instance is one of the job's parallel workers and brings its share.
 */
public final class RemoteClients {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteClients.class);
  private static final ConcurrentHashMap<RemoteSpec, RemoteClient> CLIENTS =
      new ConcurrentHashMap<>();

  private RemoteClients() {}

  /**
   * A lease on the client for {@code spec}, made on first use.
   *
   * @throws RuntimeException from the SDK if the client cannot be made
   */
  public static RemoteKms acquire(RemoteSpec spec) {
    RemoteClient client =
        CLIENTS.compute(
            spec,
            (k, existing) -> {
              RemoteClient c = existing != null ? existing : open(k);
              c.references++;
              c.limiter.ceiling(share(k, c.references));
              return c;
            });
    return new RemoteKms(client);
  }

  static void release(RemoteClient client) {
    CLIENTS.computeIfPresent(
        client.spec,
        (k, c) -> {
          if (c != client) {
            return c;
          }
          if (--c.references > 0) {
            c.limiter.ceiling(share(k, c.references));
            return c;
          }
          c.close();
          LOG.debug("Closed the KMS client for {}", k);
          return null;
        });
  }

  /**
   * The budget of a JVM with {@code users} of the job's workers: their shares, never more than the
   * whole (a runner may make more DoFn instances than the job has workers).
   */
  static double share(RemoteSpec spec, int users) {
    return spec.perWorkerRequestsPerSecond() * Math.min(users, spec.workers());
  }

  /** How many clients this JVM holds open (for tests: none after a job). */
  public static int openClients() {
    return CLIENTS.size();
  }

  private static RemoteClient open(RemoteSpec spec) {
    RemoteClient c = new RemoteClient(spec);
    LOG.debug("Opened a KMS client for {}", spec);
    return c;
  }
}
