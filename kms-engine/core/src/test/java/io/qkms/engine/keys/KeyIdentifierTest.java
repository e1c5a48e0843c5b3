package io.qkms.engine.keys;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyIdentifierTest {
  private static final String ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";
  private static final AccountId ACCOUNT = AccountId.of("111122223333");

  @Test
  void parse_keyId_isById() {
    assertThat(KeyIdentifier.parse(ID), equalTo(new KeyIdentifier.ById(KeyId.parse(ID), ID)));
  }

  @Test
  void parse_mrkKeyId_isById() {
    assertThat(KeyIdentifier.parse(MRK), equalTo(new KeyIdentifier.ById(KeyId.parse(MRK), MRK)));
  }

  @Test
  void parse_keyArn_isByKeyArn() {
    String arn = "arn:verenc:111122223333:key/" + ID;
    assertThat(
        KeyIdentifier.parse(arn),
        equalTo(new KeyIdentifier.ByKeyArn(ACCOUNT, KeyId.parse(ID), arn)));
  }

  @Test
  void parse_keyArnOfOtherAccount_keepsThatAccount() {
    String arn = "arn:verenc:444455556666:key/" + MRK;
    assertThat(
        KeyIdentifier.parse(arn),
        equalTo(new KeyIdentifier.ByKeyArn(AccountId.of("444455556666"), KeyId.parse(MRK), arn)));
  }

  @Test
  void parse_aliasName_isByAliasName() {
    String text = "alias/ExampleAlias";
    assertThat(
        KeyIdentifier.parse(text),
        equalTo(new KeyIdentifier.ByAliasName(AliasName.parse(text), text)));
  }

  @Test
  void parse_aliasArn_isByAliasArn() {
    String arn = "arn:verenc:111122223333:alias/ExampleAlias";
    assertThat(
        KeyIdentifier.parse(arn),
        equalTo(new KeyIdentifier.ByAliasArn(ACCOUNT, AliasName.parse("alias/ExampleAlias"), arn)));
  }

  @Test
  void text_isWhatTheCallerWrote() {
    assertThat(KeyIdentifier.parse("alias/x").text(), equalTo("alias/x"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "1234ABCD-12AB-34CD-56EF-1234567890AB",
        "mrk-fake-key-id",
        "alias/",
        "alias/bad name",
        "arn:verenc:111122223333",
        "arn:verenc:111122223333:",
        "arn:verenc:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:verenc::key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:verenc:111122223333:key/",
        "arn:verenc:111122223333:key/alias/x",
        "arn:verenc:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB",
        "arn:verenc:111122223333:keys/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:verenc:111122223333:alias/",
        "arn:verenc:111122223333:alias",
        "arn:verenc:111122223333:root",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab/x",
        " 1234abcd-12ab-34cd-56ef-1234567890ab"
      })
  void parse_noneOfTheFourForms_isNull(String text) {
    assertThat(KeyIdentifier.parse(text), nullValue());
  }
}
