package io.qkms.pipeline.worker.remote;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.pipeline.worker.WorkerKms;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.model.IncludeKeyMaterial;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.ListKeyRotationsResponse;
import software.amazon.awssdk.services.kms.model.ReEncryptRequest;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;

/**
 * What one worker JVM shares for a {@link RemoteSpec}: the AWS SDK's {@link KmsAsyncClient} on an
 * HTTP client of the SDK ({@link KmsHttpClients}; it also carries {@link BatchReEncrypt}),
 * credentials from the SDK's default chain, the JVM's part of the request budget ({@link
 * AimdLimiter}), a small scheduler for paced and retried sends, the keys' current materials (cached
 * for the TTL), and the request counts.
 *
 * <p>A call's life: its send waits for a permit of the budget; the answer is handled on the
 * scheduler's threads: success; a throttled answer (the worker slows down, the call is sent again
 * after a jittered backoff, never dead-lettered while its throttle budget lasts); a 5xx, a
 * transient KMS error or no answer at all (sent again within the attempts budget, then a transient
 * dead letter); a 4xx (a dead letter with the API's code). The SDK's own retries are off, so that
 * this policy alone decides. When {@code outageRecords} records in a row used up their attempts the
 * endpoint is taken to be down and the leases fail the work.
 */
final class RemoteClient {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteClient.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final KeyCacheStats NO_CACHE = new KeyCacheStats(0, 0, 0, 0, 0, 0);

  final RemoteSpec spec;
  final KmsAsyncClient kms;
  private final SdkAsyncHttpClient http;
  private final DefaultCredentialsProvider credentials;
  private final BatchReEncrypt batch;
  final AimdLimiter limiter;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Clock clock;
  private final ConcurrentHashMap<String, Current> current = new ConcurrentHashMap<>();
  private volatile String arnPrefix; // "arn:...:key/", learned from the answers
  private final AtomicInteger exhaustedInARow = new AtomicInteger();
  private volatile String outage;

  private final AtomicLong httpRequests = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong failed = new AtomicLong(); // answered 5xx, or not at all
  private final AtomicLong describeCalls = new AtomicLong();
  private final Object reportLock = new Object();

  int references; // guarded by RemoteClients' compute on this spec

  /** A key's current material as DescribeKey told it, or null (it could not be described). */
  private record Current(KeyMaterialRef material, Instant expires) {}

  RemoteClient(RemoteSpec spec) {
    this.spec = spec;
    this.clock = spec.clock() == null ? Clock.systemUTC() : spec.clock().clock();
    this.limiter = new AimdLimiter(spec.perWorkerRequestsPerSecond(), System::nanoTime);
    this.scheduler = new ScheduledThreadPoolExecutor(2, daemon());
    scheduler.setRemoveOnCancelPolicy(true);
    URI endpoint = URI.create(spec.endpoint());
    SdkAsyncHttpClient h = null;
    DefaultCredentialsProvider c = null;
    try {
      // Read here, on the worker, and once: a bad file fails the client at once, not each call.
      TrustManager[] trust =
          spec.caBundle() == null ? null : CaBundle.trustManagers(spec.caBundle());
      h = KmsHttpClients.open(spec, trust);
      c = DefaultCredentialsProvider.builder().build();
      SdkAsyncHttpClient httpClient = h;
      DefaultCredentialsProvider creds = c;
      this.kms =
          KmsAsyncClient.builder()
              .httpClient(httpClient)
              .endpointOverride(endpoint)
              .region(Region.of(spec.region()))
              .credentialsProvider(creds)
              .overrideConfiguration(
                  o ->
                      o.retryStrategy(AwsRetryStrategy.doNotRetry())
                          .apiCallTimeout(Duration.ofMinutes(2)))
              .build();
    } catch (RuntimeException e) {
      scheduler.shutdownNow();
      if (h != null) {
        h.close();
      }
      if (c != null) {
        c.close();
      }
      throw e;
    }
    this.http = h;
    this.credentials = c;
    this.batch =
        spec.batchSize() > 1
            ? new BatchReEncrypt(http, endpoint, spec.region(), credentials)
            : null;
  }

  private static ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "qkms-kms-client-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---- calls --------------------------------------------------------------------------------

  /** One call and what has happened to it so far. */
  static final class Item {
    final WorkerKms.Call call;
    int sends;
    int failures; // transient failures (not throttles)
    int throttles;

    Item(WorkerKms.Call call) {
      this.call = call;
    }
  }

  /** Calls sent together (a batch, or one call); {@code done} runs when all have an outcome. */
  static final class Group {
    final AtomicInteger open;
    final Runnable done;

    Group(int items, Runnable done) {
      this.open = new AtomicInteger(items);
      this.done = done;
    }

    void resolved() {
      if (open.decrementAndGet() == 0) {
        done.run();
      }
    }
  }

  /** Sends {@code items} once the budget allows. */
  void send(List<Item> items, Group group) {
    // When the sends were paced: their answers speak of the rate of that moment.
    long paced = limiter.now();
    long delay = limiter.reserve(items.size());
    if (delay <= 0) {
      dispatch(items, group, paced);
      return;
    }
    try {
      scheduler.schedule(() -> dispatch(items, group, paced), delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The client is closing (its last user left after a failure): nothing waits for these.
      LOG.debug("Dropped {} calls of a closing KMS client", items.size());
    }
  }

  private void dispatch(List<Item> items, Group group, long sent) {
    httpRequests.incrementAndGet();
    calls.addAndGet(items.size());
    for (Item i : items) {
      i.sends++;
    }
    try {
      if (batch != null) {
        List<WorkerKms.Call> list = new ArrayList<>(items.size());
        for (Item i : items) {
          list.add(i.call);
        }
        batch
            .send(list)
            .whenCompleteAsync(
                (results, error) -> {
                  if (error != null) {
                    handleBatchFailure(items, group, error, sent);
                  } else {
                    handle(items, group, results, sent);
                  }
                },
                scheduler);
      } else {
        Item item = items.get(0);
        kms.reEncrypt(request(item.call))
            .whenCompleteAsync(
                (r, error) ->
                    handle(
                        items,
                        group,
                        List.of(
                            error == null
                                ? new BatchReEncrypt.Result(
                                    r.ciphertextBlob().asByteArray(), r.sourceKeyId(), null)
                                : new BatchReEncrypt.Result(null, null, RemoteErrors.of(error))),
                        sent),
                scheduler);
      }
    } catch (RuntimeException e) {
      handleBatchFailure(items, group, e, sent);
    }
  }

  /** The ReEncrypt request of {@code c}, leaving out what it leaves null or empty. */
  static ReEncryptRequest request(WorkerKms.Args c) {
    ReEncryptRequest.Builder b =
        ReEncryptRequest.builder()
            .ciphertextBlob(SdkBytes.fromByteArrayUnsafe(c.ciphertext()))
            .destinationKeyId(c.destinationKeyId());
    if (c.sourceKeyId() != null) {
      b.sourceKeyId(c.sourceKeyId());
    }
    if (c.sourceContext() != null && !c.sourceContext().isEmpty()) {
      b.sourceEncryptionContext(c.sourceContext());
    }
    if (c.destinationContext() != null && !c.destinationContext().isEmpty()) {
      b.destinationEncryptionContext(c.destinationContext());
    }
    if (c.grantTokens() != null && !c.grantTokens().isEmpty()) {
      b.grantTokens(c.grantTokens());
    }
    return b.build();
  }

  private void handleBatchFailure(List<Item> items, Group group, Throwable error, long sent) {
    Throwable e = RemoteErrors.unwrap(error);
    RemoteErrors.Failure f;
    if (e instanceof BatchReEncrypt.RequestFailed rf) {
      f = rf.failure;
    } else if (e instanceof IllegalStateException) {
      // A malformed answer: the endpoint misbehaves; nothing in it can be trusted.
      f =
          new RemoteErrors.Failure(
              RemoteErrors.Kind.OVERLOADED, "KMSInternalException", e.getMessage());
    } else {
      f = RemoteErrors.of(e);
    }
    List<BatchReEncrypt.Result> results = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      results.add(new BatchReEncrypt.Result(null, null, f));
    }
    handle(items, group, results, sent);
  }

  /**
   * The answers to {@code items}, paced for sending at {@code sent}, in order: outcomes, retries,
   * and the budget's adjustment.
   */
  private void handle(
      List<Item> items, Group group, List<BatchReEncrypt.Result> results, long sent) {
    List<Item> retry = new ArrayList<>();
    boolean throttledAny = false;
    boolean overloaded = false;
    int overloadedItems = 0;
    int retryLevel = 0;
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      BatchReEncrypt.Result r = results.get(i);
      if (r.failure() == null) {
        exhaustedInARow.set(0);
        learnArnPrefix(r.sourceKeyArn());
        item.call.succeeded(r.ciphertext());
        group.resolved();
        continue;
      }
      RemoteErrors.Failure f = r.failure();
      switch (f.kind()) {
        case THROTTLED -> {
          throttled.incrementAndGet();
          throttledAny = true;
          overloadedItems++;
          item.throttles++;
          if (item.throttles > spec.maxThrottledRetries()) {
            fail(item, group, f, true);
          } else {
            retry.add(item);
            retryLevel = Math.max(retryLevel, item.throttles);
          }
        }
        case OVERLOADED, UNREACHABLE -> {
          if (f.kind() == RemoteErrors.Kind.OVERLOADED) {
            overloaded = true;
            overloadedItems++;
          }
          failed.incrementAndGet();
          item.failures++;
          if (item.failures >= spec.maxAttempts()) {
            exhausted(item, group, f);
          } else {
            retry.add(item);
            retryLevel = Math.max(retryLevel, item.failures);
          }
        }
        case PERMANENT -> {
          exhaustedInARow.set(0);
          fail(item, group, f, false);
        }
      }
    }
    if (throttledAny || overloaded) {
      limiter.onOverload(throttledAny, items.size() - overloadedItems, items.size(), sent);
    } else {
      limiter.onSuccess();
    }
    if (!retry.isEmpty()) {
      long wait = backoffMillis(retryLevel, ThreadLocalRandom.current().nextDouble());
      try {
        scheduler.schedule(() -> send(retry, group), wait, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        LOG.debug("Dropped {} retries of a closing KMS client", retry.size());
      }
    }
  }

  /** Full jitter: a random wait up to {@code initial * 2^(n-1)}, capped. */
  long backoffMillis(int n, double random) {
    long ceiling = spec.initialBackoff().toMillis();
    long max = spec.maxBackoff().toMillis();
    for (int i = 1; i < n && ceiling < max; i++) {
      ceiling *= 2;
    }
    return (long) (random * Math.min(ceiling, max));
  }

  private void exhausted(Item item, Group group, RemoteErrors.Failure f) {
    int inARow = exhaustedInARow.incrementAndGet();
    if (inARow >= spec.outageRecords() && outage == null) {
      outage =
          "The KMS endpoint "
              + spec.endpoint()
              + " failed "
              + inARow
              + " records in a row after "
              + item.sends
              + " attempts each: "
              + f.code()
              + (f.message() == null ? "" : ": " + f.message());
      LOG.warn(outage);
    }
    fail(item, group, f, true);
  }

  private static void fail(Item item, Group group, RemoteErrors.Failure f, boolean transientError) {
    item.call.failed(f.code(), f.message(), item.sends, transientError);
    group.resolved();
  }

  /** Why the endpoint is taken to be down, or null. */
  String outage() {
    return outage;
  }

  // ---- current materials --------------------------------------------------------------------

  /** What {@code keyId} encrypts with now, from the cache or DescribeKey; null if not known. */
  KeyMaterialRef currentMaterial(String keyId) {
    Instant now = clock.instant();
    Current c = current.get(keyId);
    if (c != null && now.isBefore(c.expires())) {
      return c.material();
    }
    for (int attempt = 1; ; attempt++) {
      try {
        describeCalls.incrementAndGet();
        httpRequests.incrementAndGet();
        KeyMetadata k =
            kms.describeKey(
                    b -> {
                      b.keyId(keyId);
                      if (!spec.grantTokens().isEmpty()) {
                        b.grantTokens(spec.grantTokens());
                      }
                    })
                .join()
                .keyMetadata();
        learnArnPrefix(k.arn());
        KeyMaterialRef m = new KeyMaterialRef(k.arn(), k.currentKeyMaterialId());
        current.put(keyId, new Current(m, now.plus(spec.cacheTtl())));
        return m;
      } catch (RuntimeException e) {
        RemoteErrors.Failure f = RemoteErrors.of(e);
        if (f.retryable() && attempt < 5) {
          sleep(backoffMillis(attempt, ThreadLocalRandom.current().nextDouble()));
          continue;
        }
        LOG.warn(
            "Cannot learn the current material of {} ({}: {}); its ciphertexts are re-encrypted",
            keyId,
            f.code(),
            f.message());
        // Not known for a while: asked again after a tenth of the TTL, not on every record.
        current.put(keyId, new Current(null, now.plus(spec.cacheTtl().dividedBy(10))));
        return null;
      }
    }
  }

  /**
   * When each material of {@code keyId} was created, by material ID: ListKeyRotations with {@code
   * IncludeKeyMaterial=ALL_KEY_MATERIAL} (QKMS dates the initial material by its creation too),
   * every page; empty for a key the endpoint does not hold. A throttled or transient failure is
   * sent again a few times, as DescribeKey.
   *
   * @throws RemoteCallException with the API's code when the key cannot be listed
   */
  Map<String, Instant> materialDates(String keyId) {
    Map<String, Instant> out = new HashMap<>();
    String marker = null;
    do {
      ListKeyRotationsResponse page;
      try {
        page = listKeyRotations(keyId, marker);
      } catch (RemoteCallException e) {
        if (e.code().equals("NotFoundException")) {
          return Map.of(); // ReEncrypt will say so for the record
        }
        throw e;
      }
      for (RotationsListEntry e : page.rotations()) {
        out.put(e.keyMaterialId(), e.rotationDate());
      }
      marker = Boolean.TRUE.equals(page.truncated()) ? page.nextMarker() : null;
    } while (marker != null);
    return out;
  }

  private ListKeyRotationsResponse listKeyRotations(String keyId, String marker) {
    for (int attempt = 1; ; attempt++) {
      try {
        httpRequests.incrementAndGet();
        return kms.listKeyRotations(
                b ->
                    b.keyId(keyId)
                        .includeKeyMaterial(IncludeKeyMaterial.ALL_KEY_MATERIAL)
                        .limit(1000)
                        .marker(marker))
            .join();
      } catch (RuntimeException e) {
        RemoteErrors.Failure f = RemoteErrors.of(e);
        if (f.retryable() && attempt < 5) {
          sleep(backoffMillis(attempt, ThreadLocalRandom.current().nextDouble()));
          continue;
        }
        throw new RemoteCallException(f);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the KMS endpoint", e);
    }
  }

  /** The key and material a blob's header names (key ARN once the account is known), or null. */
  KeyMaterialRef ciphertextMaterial(byte[] blob) {
    QkmsHeader.Parsed h = QkmsHeader.parse(blob);
    if (h == null) {
      return null;
    }
    String prefix = arnPrefix;
    return new KeyMaterialRef(prefix == null ? h.keyId() : prefix + h.keyId(), h.materialId());
  }

  private void learnArnPrefix(String arn) {
    if (arnPrefix == null && arn != null) {
      int slash = arn.lastIndexOf('/');
      if (slash > 0 && arn.substring(0, slash).endsWith(":key")) {
        arnPrefix = arn.substring(0, slash + 1);
      }
    }
  }

  // ---- reporting and closing ----------------------------------------------------------------

  /** Requests since the last call, by any user. */
  WorkerKms.Activity takeActivity() {
    synchronized (reportLock) {
      return new WorkerKms.Activity(
          NO_CACHE,
          httpRequests.getAndSet(0),
          calls.getAndSet(0),
          throttled.getAndSet(0),
          limiter.takeThrottledNanos(),
          describeCalls.getAndSet(0),
          failed.getAndSet(0));
    }
  }

  void close() {
    scheduler.shutdownNow();
    try {
      kms.close();
    } finally {
      http.close();
      credentials.close();
    }
  }
}
