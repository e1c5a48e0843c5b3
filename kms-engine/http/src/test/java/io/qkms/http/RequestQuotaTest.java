package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.Region;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket of {@code --max-requests-per-second}, on a hand-moved ticker: no sleeping. */
class RequestQuotaTest {
  private static final long SECOND = 1_000_000_000L;
  private static final List<Region> REGIONS =
      List.of(Region.of("us-east-1"), Region.of("eu-west-1"));

  private final AtomicLong now = new AtomicLong(-5 * SECOND); // nanoTime may be negative

  private RequestQuota quota(int perSecond) {
    return new RequestQuota(perSecond, REGIONS, now::get);
  }

  private static int takeOneByOne(RequestQuota q, String region, int attempts) {
    int granted = 0;
    for (int i = 0; i < attempts; i++) {
      granted += q.acquire(region, 1);
    }
    return granted;
  }

  @Test
  void aNewBucket_holdsOneSecondOfRequests_andNoMore() {
    RequestQuota q = quota(10);

    assertThat(takeOneByOne(q, "us-east-1", 25), equalTo(10));
  }

  @Test
  void anEmptyBucket_refillsAtTheRate() {
    RequestQuota q = quota(10);
    takeOneByOne(q, "us-east-1", 10);

    now.addAndGet(SECOND / 10 - 1);
    assertThat(q.acquire("us-east-1", 1), equalTo(0));
    now.addAndGet(1);
    assertThat(q.acquire("us-east-1", 1), equalTo(1));
    assertThat(q.acquire("us-east-1", 1), equalTo(0));
    now.addAndGet(SECOND / 2);
    assertThat(takeOneByOne(q, "us-east-1", 10), equalTo(5));
  }

  @Test
  void anIdleBucket_fillsUpToOneSecondOfRequests_notMore() {
    RequestQuota q = quota(10);
    takeOneByOne(q, "us-east-1", 10);

    now.addAndGet(3600 * SECOND);

    assertThat(takeOneByOne(q, "us-east-1", 50), equalTo(10));
  }

  @Test
  void over100Seconds_theGrantedRequests_areTheRateTimesTheTime_plusTheBurst() {
    RequestQuota q = quota(7);
    int granted = 0;
    for (int ms = 0; ms < 100_000; ms++) { // a client trying every millisecond
      granted += q.acquire("us-east-1", 1);
      now.addAndGet(SECOND / 1000);
    }

    assertThat(granted, equalTo(7 * 100 + 7 - 1));
  }

  @Test
  void eachRegion_hasItsOwnBucket() {
    RequestQuota q = quota(3);
    takeOneByOne(q, "us-east-1", 3);

    assertThat(q.acquire("us-east-1", 1), equalTo(0));
    assertThat(takeOneByOne(q, "eu-west-1", 5), equalTo(3));
  }

  @Test
  void askingForMoreThanTheBucketHolds_grantsWhatItHolds() {
    RequestQuota q = quota(100);
    assertThat(q.acquire("us-east-1", 30), equalTo(30));
    assertThat(q.acquire("us-east-1", 1000), equalTo(70));
    assertThat(q.acquire("us-east-1", 1000), equalTo(0));
    now.addAndGet(SECOND / 10);
    assertThat(q.acquire("us-east-1", 1000), equalTo(10));
  }

  @Test
  void aRegionTheServerDoesNotHave_isAProgrammingError() {
    RequestQuota q = quota(3);

    assertThrows(IllegalArgumentException.class, () -> q.acquire("ap-south-1", 1));
  }

  @Test
  void aQuotaBelowOne_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> quota(0));
  }

  @Test
  void concurrentCallers_togetherGetExactlyTheBucket() throws Exception {
    RequestQuota q = quota(10_000);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        callers.add(() -> takeOneByOne(q, "us-east-1", 5_000));
      }
      int total = 0;
      for (Future<Integer> f : pool.invokeAll(callers)) {
        total += f.get();
      }
      assertThat(total, equalTo(10_000));
    } finally {
      pool.shutdownNow();
    }
  }
}
