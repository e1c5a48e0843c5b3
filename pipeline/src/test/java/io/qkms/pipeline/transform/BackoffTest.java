package io.qkms.pipeline.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(5, Duration.ofMillis(100), Duration.ofMillis(1000));

  @Test
  void delay_doublesPerAttempt_atFullRandom() {
    assertThat(backoff.delayMillis(1, 0.999999), is(99L));
    assertThat(backoff.delayMillis(2, 0.999999), is(199L));
    assertThat(backoff.delayMillis(3, 0.999999), is(399L));
  }

  @Test
  void delay_isCappedAtTheMaximum() {
    assertThat(backoff.delayMillis(30, 0.999999), is(999L));
  }

  @Test
  void delay_isAFractionOfTheCeiling_fullJitter() {
    assertThat(backoff.delayMillis(3, 0.0), is(0L));
    assertThat(backoff.delayMillis(3, 0.5), is(200L));
  }
}
