package io.qkms.pipeline.worker.remote;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.pipeline.worker.WorkerKms;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ReEncryptRequest;

/**
 * The launcher's view of a remote KMS, for the checks before a run: DescribeKey, a DryRun ReEncrypt
 * (paced by the client's budget, as the workers' ReEncrypts are), a blob's header. Through the same
 * client (and credentials chain) as the workers'. A throttled or overloaded call is sent again a
 * few times (the endpoint's quota counts these calls too); any other failure, no answer included,
 * is told at once.
 */
public final class RemoteCheck implements AutoCloseable {
  private final RemoteKms lease;
  private final RemoteClient client;

  /** A key as DescribeKey tells it. */
  public record Key(
      String arn, String keySpec, String keyUsage, String keyState, String currentMaterialId) {}

  private RemoteCheck(RemoteKms lease, RemoteClient client) {
    this.lease = lease;
    this.client = client;
  }

  /**
   * Opens the JVM's client for {@code spec} (a run's workers in this JVM then share it).
   *
   * @throws RemoteCallException if the SDK cannot make a client (no usable region, ...)
   */
  public static RemoteCheck open(RemoteSpec spec) {
    RemoteKms lease;
    try {
      lease = RemoteClients.acquire(spec);
    } catch (RuntimeException e) {
      throw new RemoteCallException(
          new RemoteErrors.Failure(
              RemoteErrors.Kind.PERMANENT, e.getClass().getSimpleName(), e.getMessage()));
    }
    return new RemoteCheck(lease, clientOf(lease));
  }

  private static RemoteClient clientOf(RemoteKms lease) {
    return lease.client();
  }

  /**
   * @throws RemoteCallException with the API's error code
   */
  public Key describeKey(String keyId, List<String> grantTokens) {
    for (int attempt = 1; ; attempt++) {
      try {
        KeyMetadata m =
            client
                .kms
                .describeKey(
                    b -> {
                      b.keyId(keyId);
                      if (grantTokens != null && !grantTokens.isEmpty()) {
                        b.grantTokens(grantTokens);
                      }
                    })
                .join()
                .keyMetadata();
        return new Key(
            m.arn(),
            m.keySpecAsString(),
            m.keyUsageAsString(),
            m.keyStateAsString(),
            m.currentKeyMaterialId());
      } catch (RuntimeException e) {
        RemoteErrors.Failure f = RemoteErrors.of(e);
        if (!passing(f, attempt)) {
          throw new RemoteCallException(f);
        }
      }
    }
  }

  private static final int ATTEMPTS = 8;

  /** Whether a failure may pass (throttled, overloaded), after a wait before the next attempt. */
  private boolean passing(RemoteErrors.Failure f, int attempt) {
    if (attempt >= ATTEMPTS
        || (f.kind() != RemoteErrors.Kind.THROTTLED && f.kind() != RemoteErrors.Kind.OVERLOADED)) {
      return false;
    }
    try {
      Thread.sleep(client.backoffMillis(attempt, ThreadLocalRandom.current().nextDouble()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  /**
   * A ReEncrypt with DryRun: proves, without re-encrypting, that the caller may ReEncryptFrom the
   * blob's key and ReEncryptTo the destination, and that the blob opens with the source context.
   *
   * @return null if it would succeed; else the failure
   * @throws IllegalStateException if interrupted while it waits for its turn in the budget (nothing
   *     is known of the call then: it was not sent)
   */
  public RemoteCallException dryRunReEncrypt(WorkerKms.Args args) {
    ReEncryptRequest request = RemoteClient.request(args).toBuilder().dryRun(true).build();
    for (int attempt = 1; ; attempt++) {
      awaitBudget();
      try {
        client.kms.reEncrypt(request).join();
        return null; // an endpoint that ignores DryRun re-encrypted it: it would succeed
      } catch (RuntimeException e) {
        RemoteErrors.Failure f = RemoteErrors.of(e);
        if ("DryRunOperationException".equals(f.code())) {
          return null;
        }
        if (!passing(f, attempt)) {
          return new RemoteCallException(f);
        }
      }
    }
  }

  /**
   * Waits for a ReEncrypt's turn in the client's request budget (the run's
   * --kmsMaxRequestsPerSecond, as the workers' sends keep to it), so that the checks, which may
   * send from several threads, stay within it too.
   */
  private void awaitBudget() {
    long wait = client.limiter.reserve(1);
    if (wait <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      // Not a failure of the sampled record: the checks stop (the launcher reports it, exit 2).
      throw new IllegalStateException(
          "Interrupted while a check waited for its turn in the request budget", e);
    }
  }

  /** The key and material a blob's header names, or null if it is no QKMS ciphertext. */
  public KeyMaterialRef ciphertextMaterial(byte[] blob) {
    return client.ciphertextMaterial(blob);
  }

  /** What {@code keyId} encrypts with now (null: not known). */
  public KeyMaterialRef currentMaterial(String keyId) {
    return client.currentMaterial(keyId);
  }

  @Override
  public void close() {
    lease.close();
  }
}
