package io.qkms.engine.keys;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class AliasNameTest {
  @ParameterizedTest
  @ValueSource(strings = {"alias/a", "alias/ExampleAlias", "alias/my-key_1/sub/Z9", "alias/aws"})
  void tryParse_wellFormed_keepsTheText(String text) {
    assertThat(AliasName.tryParse(text).value(), equalTo(text));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "alias",
        "alias/",
        "ExampleAlias",
        "Alias/x",
        "ALIAS/x",
        "alias/with space",
        "alias/colon:x",
        "alias/dot.x",
        "alias/\u00e9",
        "alias/x\n",
        "arn:verenc:111122223333:alias/x"
      })
  void tryParse_malformed_isNull(String text) {
    assertThat(AliasName.tryParse(text), nullValue());
  }

  @Test
  void tryParse_256Characters_isAccepted() {
    String text = "alias/" + "a".repeat(250);
    assertThat(AliasName.tryParse(text).value(), equalTo(text));
  }

  @Test
  void tryParse_257Characters_isNull() {
    assertThat(AliasName.tryParse("alias/" + "a".repeat(251)), nullValue());
  }

  @Test
  void parse_malformed_isRejectedWithTheText() {
    assertRefused(() -> AliasName.parse("alias/"), "Not an alias name: alias/");
  }

  @Test
  void isReserved_awsPrefix_isTrue() {
    assertThat(AliasName.parse("alias/aws/s3").isReserved(), equalTo(true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"alias/aws", "alias/awsx", "alias/AWS/s3", "alias/x/aws/y"})
  void isReserved_otherNames_isFalse(String text) {
    assertThat(AliasName.parse(text).isReserved(), equalTo(false));
  }

  @Test
  void equals_isCaseSensitive() {
    assertThat(AliasName.parse("alias/a").equals(AliasName.parse("alias/A")), equalTo(false));
    assertThat(AliasName.parse("alias/a"), equalTo(AliasName.parse("alias/a")));
  }
}
