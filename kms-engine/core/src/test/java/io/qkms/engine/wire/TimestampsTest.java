package io.qkms.engine.wire;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-made reader of fixed-layout UTC dates agrees with {@code java.time}. */
class TimestampsTest {
  private static long iso(String s) {
    return Timestamps.epochSecond(s, 0, 5, 8, 11, 14, 17);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1970-01-01T00:00:00Z",
        "2015-08-30T12:36:00Z",
        "2024-02-29T23:59:59Z",
        "2026-12-31T00:00:01Z",
        "9999-12-31T23:59:59Z"
      })
  void aValidDate_isItsEpochSecond(String s) {
    assertThat(iso(s), is(Instant.parse(s).getEpochSecond()));
  }

  @Test
  void theBasicFormat_isReadWithItsOwnOffsets() {
    assertThat(Timestamps.epochSecond("20150830T123600Z", 0, 4, 6, 9, 11, 13), is(1440938160L));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2023-02-29T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:60Z",
        "2026-0a-01T00:00:00Z",
        "-026-01-01T00:00:00Z"
      })
  void aFieldOutOfRangeOrNotDigits_isInvalid(String s) {
    assertThat(iso(s), is(Timestamps.INVALID));
  }
}
