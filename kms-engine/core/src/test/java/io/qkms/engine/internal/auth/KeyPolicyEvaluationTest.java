package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Principal, Action, Resource and Effect matching; conditions are in KeyPolicyConditionTest. */
class KeyPolicyEvaluationTest {
  static final AccountId ACCOUNT = AccountId.of("111122223333");
  static final AccountId OTHER_ACCOUNT = AccountId.of("444455556666");
  static final Principal ROOT = Principal.root(ACCOUNT);
  static final Principal ALICE = Principal.user(ACCOUNT, "alice");
  static final Principal BOB = Principal.user(ACCOUNT, "bob");
  static final Principal ADMIN_ROLE = Principal.role(ACCOUNT, "Admin");
  static final String KEY_ARN =
      Arns.keyArn(ACCOUNT, KeyId.parse("1234abcd-12ab-34cd-56ef-1234567890ab"));
  static final String OTHER_KEY_ARN =
      Arns.keyArn(ACCOUNT, KeyId.parse("0987dcba-09fe-87dc-65ba-ab0987654321"));

  static KeyPolicy policy(String... statements) throws PolicyException {
    return KeyPolicy.parse(
        "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}");
  }

  static String statement(String effect, String principal, String action, String resource) {
    return "{\"Effect\":\""
        + effect
        + "\",\"Principal\":"
        + principal
        + ",\"Action\":"
        + action
        + ",\"Resource\":"
        + resource
        + "}";
  }

  static String allow(String principal, String action) {
    return statement("Allow", principal, action, "\"*\"");
  }

  static Decision decide(KeyPolicy p, Principal who, String action) {
    return p.evaluate(RequestContext.builder(who, action, KEY_ARN).build());
  }

  @Test
  void evaluate_matchingAllow_allows() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"" + ALICE.arn() + "\"}", "\"kms:ReEncryptFrom\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_noStatementMatches_isImplicitDeny() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"" + ALICE.arn() + "\"}", "\"kms:ReEncryptFrom\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptTo"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_denyAndAllowBothMatch_explicitDenyWins() throws Exception {
    KeyPolicy p =
        policy(
            allow("\"*\"", "\"kms:*\""),
            statement("Deny", "\"*\"", "\"kms:ReEncryptTo\"", "\"*\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptTo"), equalTo(Decision.EXPLICIT_DENY));
  }

  @Test
  void evaluate_denyBeforeAllow_explicitDenyWins() throws Exception {
    KeyPolicy p =
        policy(
            statement("Deny", "\"*\"", "\"kms:ReEncryptTo\"", "\"*\""),
            allow("\"*\"", "\"kms:*\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptTo"), equalTo(Decision.EXPLICIT_DENY));
  }

  @Test
  void evaluate_denyForOtherAction_stillAllows() throws Exception {
    KeyPolicy p =
        policy(
            allow("\"*\"", "\"kms:*\""),
            statement("Deny", "\"*\"", "\"kms:ReEncryptTo\"", "\"*\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_onlyDenyMatches_isExplicitDeny() throws Exception {
    KeyPolicy p = policy(statement("Deny", "\"*\"", "\"kms:*\"", "\"*\""));
    assertThat(decide(p, ROOT, "kms:Decrypt"), equalTo(Decision.EXPLICIT_DENY));
  }

  @Test
  void evaluate_principalStar_matchesAnyone() throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:Decrypt\""));
    assertThat(decide(p, Principal.root(OTHER_ACCOUNT), "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(decide(p, ADMIN_ROLE, "kms:Decrypt"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_awsStar_matchesAnyone() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"*\"}", "\"kms:Decrypt\""));
    assertThat(decide(p, BOB, "kms:Decrypt"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_accountId_matchesTheAccountRoot() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"111122223333\"}", "\"kms:Decrypt\""));
    assertThat(decide(p, ROOT, "kms:Decrypt"), equalTo(Decision.ALLOW));
  }

  /** QKMS has no IAM: the account in a policy is its root only, not its users (unlike AWS). */
  @Test
  void evaluate_accountId_doesNotMatchUsersOfTheAccount() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"111122223333\"}", "\"kms:Decrypt\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_accountRootArn_doesNotMatchRoles() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"" + ROOT.arn() + "\"}", "\"kms:Decrypt\""));
    assertThat(decide(p, ADMIN_ROLE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_accountId_doesNotMatchOtherAccountRoot() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"111122223333\"}", "\"kms:Decrypt\""));
    assertThat(
        decide(p, Principal.root(OTHER_ACCOUNT), "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_userArn_matchesOnlyThatUser() throws Exception {
    KeyPolicy p = policy(allow("{\"AWS\":\"" + ALICE.arn() + "\"}", "\"kms:Decrypt\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(decide(p, BOB, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
    assertThat(decide(p, ROOT, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_userArnOfOtherAccount_doesNotMatchSameNameHere() throws Exception {
    KeyPolicy p =
        policy(
            allow(
                "{\"AWS\":\"" + Principal.user(OTHER_ACCOUNT, "alice").arn() + "\"}",
                "\"kms:Decrypt\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_principalList_matchesEachListedPrincipal() throws Exception {
    KeyPolicy p =
        policy(
            allow(
                "{\"AWS\":[\"" + ALICE.arn() + "\",\"" + ADMIN_ROLE.arn() + "\"]}",
                "\"kms:Decrypt\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(decide(p, ADMIN_ROLE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(decide(p, BOB, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_notPrincipal_matchesEveryoneElse() throws Exception {
    KeyPolicy p =
        KeyPolicy.parse(
            "{\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\""
                + ROOT.arn()
                + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}}");
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.EXPLICIT_DENY));
    assertThat(decide(p, ROOT, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:CreateGrant"
      })
  void evaluate_kmsStar_matchesEveryKmsAction(String action) throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:*\""));
    assertThat(decide(p, ALICE, action), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_kmsStar_doesNotMatchOtherServices() throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:*\""));
    assertThat(decide(p, ALICE, "s3:GetObject"), equalTo(Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"kms:ReEncryptFrom", "kms:ReEncryptTo"})
  void evaluate_reEncryptStar_matchesBothHalves(String action) throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:ReEncrypt*\""));
    assertThat(decide(p, ALICE, action), equalTo(Decision.ALLOW));
  }

  @ParameterizedTest
  @ValueSource(strings = {"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"})
  void evaluate_reEncryptStar_doesNotMatchOthers(String action) throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:ReEncrypt*\""));
    assertThat(decide(p, ALICE, action), equalTo(Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"kms:ReEncryptFrom", "kms:ReEncryptTo"})
  void evaluate_questionMarkWildcard_matchesOneCharacter(String action) throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:Re?ncrypt*\""));
    assertThat(decide(p, ALICE, action), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_questionMarkWildcard_doesNotMatchZeroCharacters() throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"kms:Re?Encrypt*\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest
  @ValueSource(strings = {"KMS:REENCRYPTFROM", "kms:reencryptfrom", "Kms:ReEncryptFrom"})
  void evaluate_actionInPolicy_isCaseInsensitive(String inPolicy) throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"" + inPolicy + "\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_actionWildcard_isCaseInsensitive() throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "\"KMS:reencrypt*\""));
    assertThat(decide(p, ALICE, "kms:ReEncryptTo"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_actionList_matchesAnyListedAction() throws Exception {
    KeyPolicy p = policy(allow("\"*\"", "[\"kms:Encrypt\",\"kms:ReEncryptTo\"]"));
    assertThat(decide(p, ALICE, "kms:ReEncryptTo"), equalTo(Decision.ALLOW));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_notAction_matchesEveryOtherAction() throws Exception {
    KeyPolicy p =
        KeyPolicy.parse(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                + "\"NotAction\":\"kms:ReEncrypt*\",\"Resource\":\"*\"}}");
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(decide(p, ALICE, "kms:ReEncryptFrom"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_resourceStar_matchesAnyKey() throws Exception {
    KeyPolicy p = policy(statement("Allow", "\"*\"", "\"kms:Decrypt\"", "\"*\""));
    assertThat(
        p.evaluate(RequestContext.builder(ALICE, "kms:Decrypt", OTHER_KEY_ARN).build()),
        equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_resourceKeyArn_matchesOnlyThatKey() throws Exception {
    KeyPolicy p = policy(statement("Allow", "\"*\"", "\"kms:Decrypt\"", "\"" + KEY_ARN + "\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(
        p.evaluate(RequestContext.builder(ALICE, "kms:Decrypt", OTHER_KEY_ARN).build()),
        equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_resourceArn_isCaseSensitive() throws Exception {
    KeyPolicy p =
        policy(
            statement(
                "Allow",
                "\"*\"",
                "\"kms:Decrypt\"",
                "\"" + KEY_ARN.replace("key/", "KEY/") + "\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void evaluate_resourceWildcard_matchesKeysOfTheAccount() throws Exception {
    KeyPolicy p =
        policy(statement("Allow", "\"*\"", "\"kms:Decrypt\"", "\"arn:verenc:111122223333:key/*\""));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
  }

  @Test
  void evaluate_notResource_matchesOtherKeysOnly() throws Exception {
    KeyPolicy p =
        KeyPolicy.parse(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
                + "\"NotResource\":\""
                + OTHER_KEY_ARN
                + "\"}}");
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.ALLOW));
    assertThat(
        p.evaluate(RequestContext.builder(ALICE, "kms:Decrypt", OTHER_KEY_ARN).build()),
        equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void defaultPolicy_allowsTheRootEverything() throws Exception {
    KeyPolicy p = KeyPolicy.parse(KeyPolicy.defaultPolicyJson(ACCOUNT));
    assertThat(decide(p, ROOT, "kms:ReEncryptFrom"), equalTo(Decision.ALLOW));
    assertThat(decide(p, ROOT, "kms:PutKeyPolicy"), equalTo(Decision.ALLOW));
  }

  @Test
  void defaultPolicy_givesUsersAndRolesNothing() throws Exception {
    KeyPolicy p = KeyPolicy.parse(KeyPolicy.defaultPolicyJson(ACCOUNT));
    assertThat(decide(p, ALICE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
    assertThat(decide(p, ADMIN_ROLE, "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void defaultPolicy_givesOtherAccountsNothing() throws Exception {
    KeyPolicy p = KeyPolicy.parse(KeyPolicy.defaultPolicyJson(ACCOUNT));
    assertThat(
        decide(p, Principal.root(OTHER_ACCOUNT), "kms:Decrypt"), equalTo(Decision.IMPLICIT_DENY));
  }

  @Test
  void defaultPolicy_hasTheAwsShape() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(KeyPolicy.defaultPolicyJson(ACCOUNT));
    assertThat(
        new ObjectMapper()
            .readTree(
                "{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{"
                    + "\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\","
                    + "\"Principal\":{\"AWS\":\"arn:verenc:111122223333:root\"},"
                    + "\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"),
        equalTo(doc));
  }
}
