package io.qkms.engine.api;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.keys.AccountId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PrincipalTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");

  @Test
  void root_hasTheRootArn() {
    Principal p = Principal.root(ACCOUNT);
    assertThat(p.arn(), equalTo("arn:verenc:111122223333:root"));
    assertThat(p.kind(), equalTo(Principal.Kind.ROOT));
    assertThat(p.isRoot(), equalTo(true));
    assertThat(p.account(), equalTo(ACCOUNT));
  }

  @Test
  void user_hasTheUserArn() {
    Principal p = Principal.user(ACCOUNT, "alice");
    assertThat(p.arn(), equalTo("arn:verenc:111122223333:user/alice"));
    assertThat(p.kind(), equalTo(Principal.Kind.USER));
    assertThat(p.isRoot(), equalTo(false));
  }

  @Test
  void role_hasTheRoleArn() {
    Principal p = Principal.role(ACCOUNT, "ReKeyJob");
    assertThat(p.arn(), equalTo("arn:verenc:111122223333:role/ReKeyJob"));
    assertThat(p.kind(), equalTo(Principal.Kind.ROLE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:verenc:111122223333:root",
        "arn:verenc:111122223333:user/alice",
        "arn:verenc:111122223333:role/Admin",
        "arn:verenc:111122223333:user/a+b=c,d.e@f_g-h"
      })
  void parse_ofArn_roundTrips(String arn) {
    assertThat(Principal.parse(arn).arn(), equalTo(arn));
  }

  @Test
  void parse_userArn_equalsTheBuiltUser() {
    assertThat(
        Principal.parse("arn:verenc:111122223333:user/alice"),
        equalTo(Principal.user(ACCOUNT, "alice")));
  }

  @Test
  void userAndRoleOfSameName_areDifferent() {
    assertThat(Principal.user(ACCOUNT, "x").equals(Principal.role(ACCOUNT, "x")), equalTo(false));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "root",
        "arn:aws:iam::111122223333:root",
        "arn:verenc:111122223333",
        "arn:verenc:111122223333:",
        "arn:verenc:11112222333:root",
        "arn:verenc:111122223333:ROOT",
        "arn:verenc:111122223333:root/",
        "arn:verenc:111122223333:user/",
        "arn:verenc:111122223333:user/a/b",
        "arn:verenc:111122223333:user/with space",
        "arn:verenc:111122223333:user/alice ",
        "arn:verenc:111122223333:User/alice",
        "arn:verenc:111122223333:group/admins",
        "arn:verenc:111122223333:assumed-role/Admin/session",
        "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      })
  void tryParse_notAPrincipal_isNull(String arn) {
    assertThat(Principal.tryParse(arn), nullValue());
  }

  @Test
  void tryParse_name64Characters_isAccepted() {
    String arn = "arn:verenc:111122223333:user/" + "a".repeat(64);
    assertThat(Principal.tryParse(arn).arn(), equalTo(arn));
  }

  @Test
  void tryParse_name65Characters_isNull() {
    assertThat(Principal.tryParse("arn:verenc:111122223333:user/" + "a".repeat(65)), nullValue());
  }

  @Test
  void parse_invalid_isRejectedNamingTheForms() {
    assertRefused(
        () -> Principal.parse("arn:x"),
        "A principal is arn:verenc:<account>:root, ...:user/<name> or ...:role/<name>: arn:x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "a/b", "a:b", "\u00e9"})
  void user_invalidName_isRejected(String name) {
    assertRefused(() -> Principal.user(ACCOUNT, name), "Invalid principal name: " + name);
  }

  @Test
  void role_nullName_isRejected() {
    assertRefused(() -> Principal.role(ACCOUNT, null), "Invalid principal name: null");
  }
}
