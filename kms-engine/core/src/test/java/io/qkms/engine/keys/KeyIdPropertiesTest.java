package io.qkms.engine.keys;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class KeyIdPropertiesTest {
  @Property
  void textForm_parsesBackToTheSameKeyId(
      @ForAll @Size(16) byte[] bytes, @ForAll boolean multiRegion) {
    KeyId id = KeyId.fromBytes(bytes, multiRegion);
    assertThat(KeyId.parse(id.value()), equalTo(id));
    assertThat(KeyId.parse(id.value()).toBytes(), equalTo(bytes));
  }

  @Property
  void keyArn_parsesBackToTheSameKeyId(
      @ForAll @Size(16) byte[] bytes, @ForAll boolean multiRegion) {
    AccountId account = AccountId.of("111122223333");
    KeyId id = KeyId.fromBytes(bytes, multiRegion);
    String arn = Arns.keyArn(account, id);
    assertThat(KeyIdentifier.parse(arn), equalTo(new KeyIdentifier.ByKeyArn(account, id, arn)));
  }
}
