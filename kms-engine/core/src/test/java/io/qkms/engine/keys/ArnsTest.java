package io.qkms.engine.keys;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class ArnsTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");

  @Test
  void keyArn_hasTheVerencForm() {
    assertThat(
        Arns.keyArn(ACCOUNT, KeyId.parse("1234abcd-12ab-34cd-56ef-1234567890ab")),
        equalTo("arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
  }

  @Test
  void keyArn_ofMultiRegionKey_keepsTheMrkId() {
    assertThat(
        Arns.keyArn(ACCOUNT, KeyId.parse("mrk-1234abcd12ab34cd56ef1234567890ab")),
        equalTo("arn:verenc:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"));
  }

  @Test
  void aliasArn_hasTheVerencForm() {
    assertThat(
        Arns.aliasArn(ACCOUNT, AliasName.parse("alias/ExampleAlias")),
        equalTo("arn:verenc:111122223333:alias/ExampleAlias"));
  }

  @Test
  void keyArn_parsesBackAsKeyIdentifier() {
    KeyId id = KeyId.parse("1234abcd-12ab-34cd-56ef-1234567890ab");
    String arn = Arns.keyArn(ACCOUNT, id);
    assertThat(KeyIdentifier.parse(arn), equalTo(new KeyIdentifier.ByKeyArn(ACCOUNT, id, arn)));
  }
}
