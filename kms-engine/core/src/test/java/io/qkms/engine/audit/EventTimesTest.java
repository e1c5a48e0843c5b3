package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Event times read exactly as {@link Instant#toString} writes them, whatever the fraction. */
class EventTimesTest {
  @Property(tries = 2000)
  void anEventTimeIsWrittenAsInstantWritesIt(@ForAll("instants") Instant t) {
    assertThat(EventTimes.format(t), equalTo(t.toString()));
  }

  @Example
  void theSameSecondWithOtherFractions_andTheSecondsAroundIt() {
    long s = 1_796_650_000L;
    for (Instant t :
        new Instant[] {
          Instant.ofEpochSecond(s, 0),
          Instant.ofEpochSecond(s, 1),
          Instant.ofEpochSecond(s, 120_000_000),
          Instant.ofEpochSecond(s, 1_000),
          Instant.ofEpochSecond(s, 999_999_999),
          Instant.ofEpochSecond(s + 1, 5_000_000),
          Instant.ofEpochSecond(s - 1, 123_456_000),
          Instant.ofEpochSecond(s, 7),
          Instant.ofEpochSecond(-1, 500_000_000),
          Instant.ofEpochSecond(253_402_300_800L, 10) // year 10000
        }) {
      assertThat(EventTimes.format(t), equalTo(t.toString()));
    }
  }

  @Provide
  Arbitrary<Instant> instants() {
    // Seconds near one another (the cached second is reused) and far apart, and fractions of
    // every precision: whole seconds, milliseconds, microseconds, nanoseconds.
    Arbitrary<Long> seconds =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1_796_650_000L, 1_796_650_003L),
            Arbitraries.longs().between(-62_135_596_800L, 253_402_300_799L));
    Arbitrary<Integer> nanos =
        Arbitraries.oneOf(
            Arbitraries.just(0),
            Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
            Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
            Arbitraries.integers().between(0, 999_999_999));
    return seconds.flatMap(s -> nanos.map(n -> Instant.ofEpochSecond(s, n)));
  }
}
