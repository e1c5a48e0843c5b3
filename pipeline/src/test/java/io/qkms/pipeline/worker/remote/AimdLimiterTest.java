package io.qkms.pipeline.worker.remote;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AimdLimiterTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000_000 * MS);

  private AimdLimiter limiter(double ceiling) {
    return new AimdLimiter(ceiling, now::get);
  }

  private void advance(long millis) {
    now.addAndGet(millis * MS);
  }

  @Test
  void permitsAreSpacedEvenlyAtTheCeiling() {
    AimdLimiter l = limiter(100);

    assertThat(l.reserve(1), is(0L));
    assertThat(l.reserve(1), is(10 * MS));
    assertThat(l.reserve(5), is(20 * MS));
    assertThat(l.reserve(1), is(70 * MS));
  }

  @Test
  void aLongIdleTimeEarnsNoBurst() {
    AimdLimiter l = limiter(100);
    l.reserve(1);
    advance(10_000);

    assertThat(l.reserve(1), is(0L));
    assertThat(l.reserve(1), is(10 * MS));
  }

  @Test
  void anOverloadCutsTheRate_onlyOncePerGap() {
    AimdLimiter l = limiter(100);

    l.onOverload(true);
    assertThat(l.rate(), closeTo(80, 1e-9));
    l.onOverload(true); // the other answers to requests already in flight
    assertThat(l.rate(), closeTo(80, 1e-9));
    advance(AimdLimiter.DECREASE_GAP_MILLIS);
    l.onOverload(false);
    assertThat(l.rate(), closeTo(64, 1e-9));
  }

  @Test
  void aBatchMostlyThrottled_cutsToTheShareAccepted_neverBelowHalf() {
    AimdLimiter l = limiter(1000);
    l.onOverload(true, 70, 100, l.now()); // 30 of 100 items throttled: 70%
    assertThat(l.rate(), closeTo(700, 1e-9));
    advance(AimdLimiter.DECREASE_GAP_MILLIS);
    l.onOverload(true, 5, 100, l.now()); // nearly all throttled: half
    assertThat(l.rate(), closeTo(350, 1e-9));
    advance(AimdLimiter.DECREASE_GAP_MILLIS);
    l.onOverload(true, 99, 100, l.now()); // one item of a batch costs no more than a single call
    assertThat(l.rate(), closeTo(350 * AimdLimiter.DECREASE, 1e-9));
    advance(AimdLimiter.DECREASE_GAP_MILLIS);
    l.onOverload(true, 0, 1, l.now()); // a single call
    assertThat(l.rate(), closeTo(350 * AimdLimiter.DECREASE * AimdLimiter.DECREASE, 1e-9));
  }

  @Test
  void answersToRequestsSentBeforeTheLastCut_doNotCutAgain() {
    AimdLimiter l = limiter(1000);
    long early = l.now(); // paced and sent at the old rate
    advance(10);
    l.onOverload(true, 0, 1, l.now());
    assertThat(l.rate(), closeTo(800, 1e-9));
    advance(AimdLimiter.DECREASE_GAP_MILLIS * 4);
    l.onOverload(true, 0, 1, early); // long after the gap, but it says nothing new
    assertThat(l.rate(), closeTo(800, 1e-9));
    assertThat(l.takeThrottledNanos() > 0, is(true)); // still time throttled
    l.onOverload(true, 0, 1, l.now());
    assertThat(l.rate(), closeTo(640, 1e-9));
  }

  @Test
  void successesRaiseTheRateAdditively_backToTheCeilingOnly() {
    AimdLimiter l = limiter(100);
    l.onOverload(true); // 80, then +0.8 per 100 ms

    advance(1_000);
    l.onSuccess();
    assertThat(l.rate(), closeTo(88, 1e-9));
    advance(1_000);
    l.onSuccess();
    assertThat(l.rate(), closeTo(96, 1e-9));
    advance(10_000);
    l.onSuccess();
    assertThat(l.rate(), closeTo(100, 1e-9));
  }

  @Test
  void theCutRateSpacesThePermits() {
    AimdLimiter l = limiter(100);
    l.onOverload(true);

    l.reserve(1);
    assertThat(l.reserve(1), is(12_500_000L)); // 1 / 80 per second
  }

  @Test
  void withoutABudget_permitsAreFree_untilAnOverloadCutsTheObservedRate() {
    AimdLimiter l = limiter(0);
    for (int i = 0; i < 1_000; i++) {
      assertThat(l.reserve(1), is(0L));
      now.addAndGet(MS); // 1,000 a second
    }

    l.onOverload(true);

    assertThat(l.rate(), closeTo(800, 1));
    assertThat(l.reserve(1), is(0L));
    assertThat(l.reserve(1), is(1_250_000L));
  }

  @Test
  void withoutABudget_theRateIsUnboundAgain_onceFarAboveWhatIsSent() {
    AimdLimiter l = limiter(0);
    for (int i = 0; i < 100; i++) {
      l.reserve(1);
      now.addAndGet(10 * MS); // 100 a second
    }
    l.onOverload(true);
    for (int i = 0; i < 600; i++) {
      advance(100);
      l.reserve(1); // 10 a second now
      l.onSuccess();
    }

    assertThat(Double.isInfinite(l.rate()), is(true));
    assertThat(l.reserve(1), is(0L));
  }

  @Test
  void timeThrottledRunsFromAThrottledAnswerToTheNextThatWasNot() {
    AimdLimiter l = limiter(100);
    l.onOverload(true);
    advance(3_000);
    l.onOverload(true);
    advance(1_000);
    l.onSuccess();
    advance(5_000);

    assertThat(l.takeThrottledNanos(), is(4_000 * MS));
    assertThat(l.takeThrottledNanos(), is(0L));
  }

  @Test
  void aStretchStillGoingIsCountedUpToNow_andNotTwice() {
    AimdLimiter l = limiter(100);
    l.onOverload(true);
    advance(2_000);

    assertThat(l.takeThrottledNanos(), is(2_000 * MS));
    advance(500);
    l.onSuccess();
    assertThat(l.takeThrottledNanos(), is(500 * MS));
  }

  @Test
  void a5xxSlowsDown_butIsNoTimeThrottled() {
    AimdLimiter l = limiter(100);
    l.onOverload(false);
    advance(1_000);

    assertThat(l.rate(), closeTo(80, 1e-9));
    assertThat(l.takeThrottledNanos(), is(0L));
  }

  @Test
  void aLowerCeiling_lowersTheRate_aHigherOneIsReachedAtOnceWhenNotCut() {
    AimdLimiter l = limiter(100);

    l.ceiling(50);
    assertThat(l.rate(), closeTo(50, 1e-9));
    l.ceiling(200);
    assertThat(l.rate(), closeTo(200, 1e-9));
    l.onOverload(true);
    l.ceiling(300);
    assertThat(l.rate(), closeTo(160, 1e-9));
  }

  @Test
  void aJvmsShareIsItsWorkersShares_neverMoreThanTheWhole() {
    RemoteSpec spec =
        RemoteSpec.builder("http://127.0.0.1:1", "us-east-1")
            .maxRequestsPerSecond(2_000)
            .workers(4)
            .build();

    assertThat(RemoteClients.share(spec, 1), closeTo(500, 1e-9));
    assertThat(RemoteClients.share(spec, 2), closeTo(1_000, 1e-9));
    assertThat(RemoteClients.share(spec, 9), closeTo(2_000, 1e-9));
  }
}
