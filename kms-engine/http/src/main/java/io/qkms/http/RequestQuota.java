package io.qkms.http;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Kms;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.errors.ThrottlingException;
import io.qkms.engine.api.model.BatchReEncryptRequest;
import io.qkms.engine.api.model.BatchReEncryptResponse;
import io.qkms.engine.api.model.BatchReEncryptResult;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.keys.Region;
import io.qkms.engine.wire.Dispatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The server's request quota ({@code qkms serve --max-requests-per-second N}): one token bucket per
 * region of the store's account, shared by every access key and principal, as AWS KMS's quotas are
 * per account and region. A bucket holds one second's worth of requests (N) and refills at N per
 * second; every authenticated call takes one token, a BatchReEncrypt one per item. A call that
 * finds the bucket empty is refused with ThrottlingException (HTTP 400, AWS's message), which the
 * AWS SDKs and CLI retry with backoff. A batch that finds fewer tokens than items runs as many
 * items as there are tokens and answers the rest with an item-level ThrottlingException; one that
 * finds none is refused whole.
 *
 * <p>Each bucket is a single atomic number, the time at which it would be full again if nothing
 * else were taken (the generic cell rate algorithm, equivalent to a token bucket): no lock, no
 * background thread. Time comes from an injected nanosecond ticker.
 */
final class RequestQuota implements Dispatcher.Interceptor {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long interval;
  private final long burst;
  private final LongSupplier ticker;
  private final Map<String, AtomicLong> buckets;

  /**
   * @param perSecond requests per second and region, at least 1
   * @param regions the regions calls can run in
   * @param ticker nanoseconds, monotonic (System::nanoTime; tests move their own)
   */
  RequestQuota(int perSecond, Collection<Region> regions, LongSupplier ticker) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("The quota must be at least 1 request per second");
    }
    this.interval = NANOS_PER_SECOND / perSecond;
    this.burst = interval * perSecond;
    this.ticker = ticker;
    long now = ticker.getAsLong();
    Map<String, AtomicLong> m = new HashMap<>();
    for (Region r : regions) {
      m.put(r.name(), new AtomicLong(now)); // full
    }
    this.buckets = Map.copyOf(m);
  }

  /**
   * Takes up to {@code wanted} tokens from the region's bucket.
   *
   * @return how many it took, 0..wanted
   */
  int acquire(String region, int wanted) {
    AtomicLong full = buckets.get(region);
    if (full == null) {
      throw new IllegalArgumentException("No quota for region " + region);
    }
    while (true) {
      long now = ticker.getAsLong();
      long t = full.get();
      long start = t - now < 0 ? now : t; // an idle bucket is full, never fuller
      long tokens = (now + burst - start) / interval;
      int granted = (int) Math.min(wanted, Math.max(0, tokens));
      if (granted == 0) {
        return 0;
      }
      if (full.compareAndSet(t, start + granted * interval)) {
        return granted;
      }
    }
  }

  @Override
  @SuppressWarnings("unchecked") // O is BatchReEncryptResponse when the request is a batch
  public <I, O> O call(Operation<I, O> op, Kms kms, Caller caller, I request) {
    if (request instanceof BatchReEncryptRequest batch) {
      return (O) batch(kms, caller, batch);
    }
    if (acquire(caller.region().name(), 1) == 0) {
      throw new ThrottlingException();
    }
    return op.call(kms, caller, request);
  }

  private BatchReEncryptResponse batch(Kms kms, Caller caller, BatchReEncryptRequest batch) {
    List<ReEncryptRequest> items = batch.items();
    int n = items == null ? 0 : items.size();
    boolean wellFormed = n >= 1 && n <= BatchReEncryptRequest.MAX_ITEMS;
    int granted = acquire(caller.region().name(), wellFormed ? n : 1);
    if (granted == 0) {
      throw new ThrottlingException();
    }
    if (!wellFormed || granted == n) {
      return kms.batchReEncrypt(caller, batch); // a malformed batch costs one request
    }
    BatchReEncryptResponse done =
        kms.batchReEncrypt(caller, new BatchReEncryptRequest(items.subList(0, granted)));
    List<BatchReEncryptResult> results = new ArrayList<>(n);
    results.addAll(done.results());
    BatchReEncryptResult throttled = BatchReEncryptResult.error(new ThrottlingException());
    while (results.size() < n) {
      results.add(throttled);
    }
    return new BatchReEncryptResponse(results);
  }
}
