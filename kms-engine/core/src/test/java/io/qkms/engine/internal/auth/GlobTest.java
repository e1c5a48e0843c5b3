package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {
  @ParameterizedTest(name = "\"{0}\" matches \"{1}\"")
  @CsvSource(
      value = {
        "*|''",
        "*|anything",
        "**|x",
        "a*|a",
        "a*|abc",
        "*c|abc",
        "*c|c",
        "a*c|ac",
        "a*c|abbbc",
        "a*b*c|aXbYc",
        "a*b*c|abc",
        "*ab|aab",
        "*aab|aaab",
        "a*a*a|aaaa",
        "?|x",
        "a?c|abc",
        "??|ab",
        "?*|a",
        "*?|a",
        "abc**|abc",
        "a.c|a.c",
        "[a]|[a]",
        "kms:ReEncrypt*|kms:ReEncryptFrom",
        "kms:Re?ncrypt*|kms:ReEncryptTo",
        "arn:verenc:111122223333:key/*|arn:verenc:111122223333:key/1234"
      },
      delimiter = '|')
  void caseSensitive_matches(String pattern, String text) {
    assertThat(Glob.caseSensitive(pattern).matches(text), equalTo(true));
  }

  @ParameterizedTest(name = "\"{0}\" does not match \"{1}\"")
  @CsvSource(
      value = {
        "?|''",
        "??|a",
        "?|ab",
        "a|''",
        "a|ab",
        "ab|a",
        "a*|ba",
        "*a|ab",
        "a*c|ab",
        "a*b*c|acb",
        "*?|''",
        "a.c|abc",
        "abc|ABC",
        "Fin*|finance",
        "kms:ReEncrypt*|kms:Encrypt",
        "arn:verenc:111122223333:key/*|arn:verenc:444455556666:key/1234"
      },
      delimiter = '|')
  void caseSensitive_doesNotMatch(String pattern, String text) {
    assertThat(Glob.caseSensitive(pattern).matches(text), equalTo(false));
  }

  @Test
  void ignoringCase_matchesOtherCase() {
    assertThat(Glob.ignoringCase("KMS:reencrypt*").matches("kms:ReEncryptFrom"), equalTo(true));
    assertThat(Glob.ignoringCase("kms:Decrypt").matches("KMS:DECRYPT"), equalTo(true));
  }

  @Test
  void ignoringCase_stillNeedsTheSameLetters() {
    assertThat(Glob.ignoringCase("kms:Decrypt").matches("kms:Encrypt"), equalTo(false));
  }

  /** Many stars against a long near-miss must not blow up (no exponential backtracking). */
  @Test
  @Timeout(value = 2, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void manyStars_longNearMiss_isFast() {
    Glob g = Glob.caseSensitive("*a*a*a*a*a*a*a*a*a*a*b");
    assertThat(g.matches("a".repeat(20_000)), equalTo(false));
  }
}
