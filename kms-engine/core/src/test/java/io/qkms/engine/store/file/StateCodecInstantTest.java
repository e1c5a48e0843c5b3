package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The store's hand-written instant reader agrees with {@link Instant#parse} everywhere. */
class StateCodecInstantTest {
  @Property
  void parseInstant_readsWhatToStringWrote(
      @ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long epochSecond,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
    Instant t = Instant.ofEpochSecond(epochSecond, nanos);

    assertThat(StateCodec.parseInstant(t.toString()), equalTo(t));
  }

  @Property
  void parseInstant_wholeMillis_readsWhatToStringWrote(
      @ForAll @LongRange(min = 0, max = 4_102_444_800_000L) long epochMilli) {
    Instant t = Instant.ofEpochMilli(epochMilli);

    assertThat(StateCodec.parseInstant(t.toString()), equalTo(t));
  }

  @Test
  void parseInstant_endOfALeapFebruary_isRead() {
    assertThat(
        StateCodec.parseInstant("2028-02-29T23:59:59.5Z"),
        equalTo(Instant.parse("2028-02-29T23:59:59.5Z")));
  }

  @Test
  void parseInstant_dayThatDoesNotExist_isRejectedLikeInstantParse() {
    assertThrows(
        DateTimeParseException.class, () -> StateCodec.parseInstant("2026-02-30T00:00:00Z"));
  }

  @Test
  void parseInstant_notAnInstant_isRejectedLikeInstantParse() {
    assertThrows(
        DateTimeParseException.class, () -> StateCodec.parseInstant("2026-01-01T00:00:0xZ"));
  }
}
