package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.api.Principal;
import io.qkms.engine.internal.store.GrantRecord;
import io.qkms.engine.keys.AccountId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantsTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Principal ALICE = Principal.user(ACCOUNT, "alice");
  private static final Principal BOB = Principal.user(ACCOUNT, "bob");
  private static final Principal ROOT = Principal.root(ACCOUNT);

  private static GrantRecord grant(
      Principal grantee,
      List<String> operations,
      Map<String, String> equals,
      Map<String, String> subset) {
    return new GrantRecord(
        "ab".repeat(32),
        null,
        grantee.arn(),
        null,
        operations,
        equals,
        subset,
        Instant.parse("2026-01-01T00:00:00Z"),
        ACCOUNT.value());
  }

  private static GrantRecord reEncryptFrom(Map<String, String> equals, Map<String, String> subset) {
    return grant(ALICE, List.of("ReEncryptFrom"), equals, subset);
  }

  private static boolean allows(GrantRecord g, Map<String, String> context) {
    return Grants.allowing(List.of(g), ALICE, "ReEncryptFrom", context) != null;
  }

  @Test
  void allow_granteeAndOperationMatch_allows() {
    assertThat(allows(reEncryptFrom(null, null), Map.of()), equalTo(true));
  }

  @Test
  void allow_otherPrincipal_doesNotAllow() {
    GrantRecord g = reEncryptFrom(null, null);
    assertThat(Grants.allowing(List.of(g), BOB, "ReEncryptFrom", Map.of()), nullValue());
    assertThat(Grants.allowing(List.of(g), ROOT, "ReEncryptFrom", Map.of()), nullValue());
  }

  @Test
  void allow_otherOperation_doesNotAllow() {
    GrantRecord g = reEncryptFrom(null, null);
    assertThat(Grants.allowing(List.of(g), ALICE, "ReEncryptTo", Map.of()), nullValue());
    assertThat(Grants.allowing(List.of(g), ALICE, "Decrypt", Map.of()), nullValue());
  }

  @Test
  void allow_operationNameOfOtherCase_doesNotAllow() {
    GrantRecord g = reEncryptFrom(null, null);
    assertThat(Grants.allowing(List.of(g), ALICE, "reencryptfrom", Map.of()), nullValue());
  }

  @Test
  void allow_noGrants_doesNotAllow() {
    assertThat(Grants.allowing(List.of(), ALICE, "ReEncryptFrom", Map.of()), nullValue());
  }

  @Test
  void allow_anyOfSeveralGrants_allows() {
    List<GrantRecord> grants =
        List.of(
            grant(BOB, List.of("ReEncryptFrom"), null, null),
            grant(ALICE, List.of("Decrypt"), null, null),
            grant(ALICE, List.of("Encrypt", "ReEncryptFrom"), null, null));
    assertThat(Grants.allowing(grants, ALICE, "ReEncryptFrom", Map.of()), notNullValue());
  }

  @Test
  void allow_noConstraints_allowsAnyContext() {
    assertThat(allows(reEncryptFrom(null, null), Map.of("a", "1")), equalTo(true));
    assertThat(allows(reEncryptFrom(null, null), null), equalTo(true));
  }

  @Test
  void equalsConstraint_sameContext_allows() {
    assertThat(allows(reEncryptFrom(Map.of("a", "1"), null), Map.of("a", "1")), equalTo(true));
  }

  @Test
  void equalsConstraint_extraEntry_doesNotAllow() {
    assertThat(
        allows(reEncryptFrom(Map.of("a", "1"), null), Map.of("a", "1", "b", "2")), equalTo(false));
  }

  @Test
  void equalsConstraint_missingEntry_doesNotAllow() {
    assertThat(
        allows(reEncryptFrom(Map.of("a", "1", "b", "2"), null), Map.of("a", "1")), equalTo(false));
  }

  @Test
  void equalsConstraint_otherValue_doesNotAllow() {
    assertThat(allows(reEncryptFrom(Map.of("a", "1"), null), Map.of("a", "2")), equalTo(false));
  }

  @Test
  void equalsConstraint_valueOfOtherCase_doesNotAllow() {
    assertThat(allows(reEncryptFrom(Map.of("a", "X"), null), Map.of("a", "x")), equalTo(false));
  }

  @Test
  void equalsConstraint_noContext_doesNotAllow() {
    assertThat(allows(reEncryptFrom(Map.of("a", "1"), null), null), equalTo(false));
    assertThat(allows(reEncryptFrom(Map.of("a", "1"), null), Map.of()), equalTo(false));
  }

  @Test
  void subsetConstraint_contextContainsIt_allows() {
    assertThat(
        allows(reEncryptFrom(null, Map.of("a", "1")), Map.of("a", "1", "b", "2")), equalTo(true));
    assertThat(allows(reEncryptFrom(null, Map.of("a", "1")), Map.of("a", "1")), equalTo(true));
  }

  @Test
  void subsetConstraint_entryMissing_doesNotAllow() {
    assertThat(
        allows(reEncryptFrom(null, Map.of("a", "1", "c", "3")), Map.of("a", "1", "b", "2")),
        equalTo(false));
  }

  @Test
  void subsetConstraint_otherValue_doesNotAllow() {
    assertThat(allows(reEncryptFrom(null, Map.of("a", "1")), Map.of("a", "2")), equalTo(false));
  }

  @Test
  void subsetConstraint_noContext_doesNotAllow() {
    assertThat(allows(reEncryptFrom(null, Map.of("a", "1")), null), equalTo(false));
  }

  @Test
  void bothConstraints_bothHold_allows() {
    GrantRecord g = reEncryptFrom(Map.of("a", "1", "b", "2"), Map.of("a", "1"));
    assertThat(allows(g, Map.of("a", "1", "b", "2")), equalTo(true));
  }

  @Test
  void bothConstraints_onlySubsetHolds_doesNotAllow() {
    GrantRecord g = reEncryptFrom(Map.of("a", "1", "b", "2"), Map.of("a", "1"));
    assertThat(allows(g, Map.of("a", "1")), equalTo(false));
  }

  @Test
  void bothConstraints_onlyEqualsHolds_doesNotAllow() {
    GrantRecord g = reEncryptFrom(Map.of("a", "1"), Map.of("b", "2"));
    assertThat(allows(g, Map.of("a", "1")), equalTo(false));
  }

  @Test
  void constraintsHold_emptyEqualsConstraint_matchesOnlyEmptyContext() {
    GrantRecord g = reEncryptFrom(Map.of(), null);
    assertThat(Grants.constraintsHold(g, null), equalTo(true));
    assertThat(Grants.constraintsHold(g, Map.of()), equalTo(true));
    assertThat(Grants.constraintsHold(g, Map.of("a", "1")), equalTo(false));
  }

  @Test
  void constraintFailing_deniesEvenWithMatchingGranteeAndOperation() {
    GrantRecord constrained = reEncryptFrom(Map.of("a", "1"), null);
    assertThat(
        Grants.allowing(List.of(constrained), ALICE, "ReEncryptFrom", Map.of("a", "2")) != null,
        equalTo(false));
  }
}
