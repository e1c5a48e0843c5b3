package io.qkms.pipeline.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectionTest {
  static final Clock NOW = Clock.fixed(Instant.parse("2026-06-15T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void parseTime_readsDatesInstantsAndDurationsBackFromNow() {
    assertThat(Selection.parseTime("2025-06-01", NOW), is(Instant.parse("2025-06-01T00:00:00Z")));
    assertThat(
        Selection.parseTime("2025-06-01T12:30:00Z", NOW),
        is(Instant.parse("2025-06-01T12:30:00Z")));
    assertThat(Selection.parseTime("P365D", NOW), is(Instant.parse("2025-06-15T10:00:00Z")));
    assertThat(Selection.parseTime("P1Y", NOW), is(Instant.parse("2025-06-15T10:00:00Z")));
    assertThat(Selection.parseTime("PT12H", NOW), is(Instant.parse("2026-06-14T22:00:00Z")));
  }

  @Test
  void parseTime_refusesAnythingElse_sayingWhichFormsItTakes() {
    for (String bad : List.of("", "yesterday", "2025-6-1", "P-1D", "PT-1H", "1700000000")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Selection.parseTime(bad, NOW));
      assertThat(e.getMessage(), containsString("is neither an ISO date (2025-06-01)"));
    }
  }

  @Test
  void withSourceKeys_takesTheFourIdentifierForms_andRefusesOthers() {
    List<String> ok =
        List.of(
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/payments",
            "arn:verenc:111122223333:alias/payments");
    assertThat(Selection.all().withSourceKeys(ok).sourceKeys(), equalTo(ok));
    assertThrows(
        IllegalArgumentException.class, () -> Selection.all().withSourceKeys(List.of("payments")));
    assertThrows(IllegalArgumentException.class, () -> Selection.all().withSourceKeys(List.of()));
  }

  @Test
  void all_selectsEverything_andSaysSo() {
    assertThat(Selection.all().selectsAll(), is(true));
    assertThat(Selection.all().toString(), is("all"));
    assertThat(Selection.all().withMaterialsCreatedBefore(Instant.EPOCH).selectsAll(), is(false));
  }
}
