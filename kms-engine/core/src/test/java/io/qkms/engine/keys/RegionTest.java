package io.qkms.engine.keys;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RegionTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "us-east-1",
        "eu-west-1",
        "ap-southeast-2",
        "eu-central-1",
        "us-gov-west-1",
        "me-south-1",
        "ca-central-12"
      })
  void of_regionName_isAccepted(String name) {
    assertThat(Region.of(name).name(), equalTo(name));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "us",
        "us-east",
        "US-EAST-1",
        "useast1",
        "us-east-123",
        "us_east_1",
        "u-east-1",
        "use-east-1",
        "us-east-1 ",
        "us--east-1",
        "us-east-1a"
      })
  void isValid_malformedName_isFalse(String name) {
    assertThat(Region.isValid(name), equalTo(false));
  }

  @Test
  void isValid_overlongName_isFalse() {
    assertThat(Region.isValid("us-" + "a".repeat(30) + "-1"), equalTo(false));
  }

  @Test
  void of_malformedName_isRejectedWithTheName() {
    assertRefused(
        () -> Region.of("US-EAST-1"),
        "A region name looks like us-east-1 or eu-central-1: US-EAST-1");
  }

  @Test
  void equalsAndOrder_followTheName() {
    assertThat(Region.of("us-east-1"), equalTo(Region.of("us-east-1")));
    assertThat(Region.of("eu-west-1").compareTo(Region.of("us-east-1")), lessThan(0));
  }
}
