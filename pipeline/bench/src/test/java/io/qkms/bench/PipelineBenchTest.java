package io.qkms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineBenchTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void secondHalfRate_countsFromTheSampleThatReachedHalf_toTheOneThatReachedTheTotal() {
    List<long[]> samples =
        List.of(
            new long[] {0, 100},
            new long[] {1 * SECOND, 400}, // slow start
            new long[] {2 * SECOND, 600}, // first at or past half of 1,000
            new long[] {3 * SECOND, 800},
            new long[] {4 * SECOND, 1_000},
            new long[] {5 * SECOND, 1_000}); // no change: not a sample the bench keeps, ignored

    assertThat(PipelineBench.secondHalfRate(samples, 1_000), closeTo(200.0, 1e-9));
  }

  @Test
  void secondHalfRate_runNotCoveredToTheEnd_isZero() {
    List<long[]> samples = List.of(new long[] {0, 0}, new long[] {SECOND, 600});

    assertThat(PipelineBench.secondHalfRate(samples, 1_000), equalTo(0.0));
  }

  @Test
  void secondHalfRate_wholeRunInOneSample_isZero() {
    List<long[]> samples = List.of(new long[] {0, 0}, new long[] {SECOND, 1_000});

    assertThat(PipelineBench.secondHalfRate(samples, 1_000), equalTo(0.0));
  }

  @Test
  void nanosAt_theFirstSampleThatReachedTheCount_orZero() {
    List<long[]> samples =
        List.of(new long[] {0, 0}, new long[] {SECOND, 999}, new long[] {2 * SECOND, 1_000});

    assertThat(PipelineBench.nanosAt(samples, 1_000), equalTo(2 * SECOND));
    assertThat(PipelineBench.nanosAt(samples, 1_001), equalTo(0L));
  }
}
