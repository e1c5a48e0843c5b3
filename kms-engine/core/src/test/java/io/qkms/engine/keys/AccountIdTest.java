package io.qkms.engine.keys;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AccountIdTest {
  @ParameterizedTest
  @ValueSource(strings = {"111122223333", "000000000000", "999999999999"})
  void of_twelveDigits_keepsThem(String value) {
    assertThat(AccountId.of(value).value(), equalTo(value));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "11112222333",
        "1111222233334",
        "11112222333a",
        "-11122223333",
        "1111 2222333",
        "\u0661\u0661\u0661\u0661\u0662\u0662\u0662\u0662\u0663\u0663\u0663\u0663",
        "\uff11\uff11\uff11\uff11\uff12\uff12\uff12\uff12\uff13\uff13\uff13\uff13"
      })
  void isValid_notTwelveAsciiDigits_isFalse(String value) {
    assertThat(AccountId.isValid(value), equalTo(false));
  }

  @Test
  void of_invalid_isRejectedWithTheValue() {
    assertRefused(() -> AccountId.of("abc"), "An account ID is exactly 12 digits: abc");
  }

  @Test
  void equals_byValue() {
    assertThat(AccountId.of("111122223333"), equalTo(AccountId.of("111122223333")));
    assertThat(AccountId.of("111122223333").equals(AccountId.of("111122223334")), equalTo(false));
  }
}
