package io.qkms.engine.internal.auth;

import static io.qkms.engine.internal.auth.KeyPolicyEvaluationTest.ALICE;
import static io.qkms.engine.internal.auth.KeyPolicyEvaluationTest.KEY_ARN;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Condition block: each test puts one condition on an Allow-everything statement, so ALLOW
 * means the condition held and IMPLICIT_DENY that it did not.
 */
class KeyPolicyConditionTest {
  private static final String ACTION = "kms:ReEncryptFrom";

  private static KeyPolicy allowIf(String condition) throws PolicyException {
    return KeyPolicy.parse(
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\",\"Condition\":"
            + condition
            + "}}");
  }

  private static boolean holds(KeyPolicy p, Map<String, String> context) {
    return holds(p, RequestContext.builder(ALICE, ACTION, KEY_ARN).encryptionContext(context));
  }

  private static boolean holds(KeyPolicy p, RequestContext.Builder request) {
    return p.evaluate(request.build()) == Decision.ALLOW;
  }

  private static Map<String, String> ctx(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static final String DEPT_EQUALS_FINANCE =
      "{\"StringEquals\":{\"kms:EncryptionContext:Department\":\"Finance\"}}";

  @Test
  void stringEquals_sameValue_holds() throws Exception {
    assertThat(holds(allowIf(DEPT_EQUALS_FINANCE), ctx("Department", "Finance")), equalTo(true));
  }

  @Test
  void stringEquals_valueOfOtherCase_doesNotHold() throws Exception {
    assertThat(holds(allowIf(DEPT_EQUALS_FINANCE), ctx("Department", "finance")), equalTo(false));
  }

  @Test
  void stringEquals_absentKey_doesNotHold() throws Exception {
    assertThat(holds(allowIf(DEPT_EQUALS_FINANCE), ctx("Project", "X")), equalTo(false));
  }

  @Test
  void stringEquals_noContext_doesNotHold() throws Exception {
    assertThat(holds(allowIf(DEPT_EQUALS_FINANCE), ctx()), equalTo(false));
  }

  @Test
  void stringEquals_multipleValues_areOred() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringEquals\":{\"kms:EncryptionContext:Department\":[\"Finance\",\"HR\"]}}");
    assertThat(holds(p, ctx("Department", "HR")), equalTo(true));
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(true));
    assertThat(holds(p, ctx("Department", "IT")), equalTo(false));
  }

  @Test
  void stringEquals_multipleKeys_areAnded() throws Exception {
    KeyPolicy p =
        allowIf(
            "{\"StringEquals\":{\"kms:EncryptionContext:Department\":\"Finance\","
                + "\"kms:EncryptionContext:Project\":\"Alpha\"}}");
    assertThat(holds(p, ctx("Department", "Finance", "Project", "Alpha")), equalTo(true));
    assertThat(holds(p, ctx("Department", "Finance", "Project", "Beta")), equalTo(false));
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(false));
  }

  @Test
  void multipleOperators_areAnded() throws Exception {
    KeyPolicy p =
        allowIf(
            "{\"StringEquals\":{\"kms:EncryptionContext:Department\":\"Finance\"},"
                + "\"StringLike\":{\"kms:EncryptionContext:Project\":\"A*\"}}");
    assertThat(holds(p, ctx("Department", "Finance", "Project", "Alpha")), equalTo(true));
    assertThat(holds(p, ctx("Department", "Finance", "Project", "Beta")), equalTo(false));
  }

  @Test
  void conditionKeyName_isCaseInsensitive() throws Exception {
    KeyPolicy p = allowIf("{\"StringEquals\":{\"KMS:CALLERACCOUNT\":\"111122223333\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void conditionKeyName_mixedCaseBoolKey_isCaseInsensitive() throws Exception {
    KeyPolicy p = allowIf("{\"Bool\":{\"kms:reencryptonsamekey\":\"true\"}}");
    RequestContext.Builder r =
        RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(true);
    assertThat(holds(p, r), equalTo(true));
  }

  @Test
  void callerAccount_isSetFromThePrincipal() throws Exception {
    KeyPolicy p = allowIf("{\"StringEquals\":{\"kms:CallerAccount\":\"111122223333\"}}");
    RequestContext.Builder other =
        RequestContext.builder(Principal.root(AccountId.of("444455556666")), ACTION, KEY_ARN);
    assertThat(holds(p, ctx()), equalTo(true));
    assertThat(holds(p, other), equalTo(false));
  }

  @Test
  void principalArn_isSetFromThePrincipal() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringEquals\":{\"aws:PrincipalArn\":\"arn:verenc:111122223333:user/alice\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void stringNotEquals_otherValue_holds() throws Exception {
    KeyPolicy p = allowIf("{\"StringNotEquals\":{\"kms:EncryptionContext:Department\":\"HR\"}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(true));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(false));
  }

  @Test
  void stringNotEquals_multipleValues_holdsOnlyForNoneOfThem() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringNotEquals\":{\"kms:EncryptionContext:Department\":[\"HR\",\"IT\"]}}");
    assertThat(holds(p, ctx("Department", "IT")), equalTo(false));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(false));
    assertThat(holds(p, ctx("Department", "Sales")), equalTo(true));
  }

  /** IAM: a negated operator on a key the request lacks is true. */
  @Test
  void stringNotEquals_absentKey_holds() throws Exception {
    KeyPolicy p = allowIf("{\"StringNotEquals\":{\"kms:EncryptionContext:Department\":\"HR\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void stringNotLike_absentKey_holds() throws Exception {
    KeyPolicy p = allowIf("{\"StringNotLike\":{\"kms:EncryptionContext:Department\":\"H*\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void stringEqualsIgnoreCase_otherCase_holds() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringEqualsIgnoreCase\":{\"kms:EncryptionContext:Department\":\"finance\"}}");
    assertThat(holds(p, ctx("Department", "FINANCE")), equalTo(true));
    assertThat(holds(p, ctx("Department", "Finances")), equalTo(false));
  }

  @Test
  void stringNotEqualsIgnoreCase_otherCase_doesNotHold() throws Exception {
    KeyPolicy p =
        allowIf(
            "{\"StringNotEqualsIgnoreCase\":{\"kms:EncryptionContext:Department\":\"finance\"}}");
    assertThat(holds(p, ctx("Department", "FINANCE")), equalTo(false));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(true));
  }

  @Test
  void stringLike_wildcards_match() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringLike\":{\"kms:EncryptionContext:Department\":[\"Fin*\",\"H?\"]}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(true));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(true));
    assertThat(holds(p, ctx("Department", "HRM")), equalTo(false));
  }

  @Test
  void stringLike_isCaseSensitive() throws Exception {
    KeyPolicy p = allowIf("{\"StringLike\":{\"kms:EncryptionContext:Department\":\"fin*\"}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(false));
  }

  @Test
  void stringNotLike_matchingValue_doesNotHold() throws Exception {
    KeyPolicy p = allowIf("{\"StringNotLike\":{\"kms:EncryptionContext:Department\":\"Fin*\"}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(false));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(true));
  }

  @Test
  void bool_matchingValue_holds() throws Exception {
    KeyPolicy p = allowIf("{\"Bool\":{\"kms:ReEncryptOnSameKey\":\"true\"}}");
    assertThat(
        holds(p, RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(true)),
        equalTo(true));
    assertThat(
        holds(p, RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(false)),
        equalTo(false));
  }

  @Test
  void bool_jsonBooleanValue_holds() throws Exception {
    KeyPolicy p = allowIf("{\"Bool\":{\"kms:ReEncryptOnSameKey\":false}}");
    assertThat(
        holds(p, RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(false)),
        equalTo(true));
  }

  @Test
  void bool_absentKey_doesNotHold() throws Exception {
    KeyPolicy p = allowIf("{\"Bool\":{\"kms:ReEncryptOnSameKey\":\"false\"}}");
    assertThat(holds(p, ctx()), equalTo(false));
  }

  @Test
  void grantIsForAwsResource_isAlwaysFalse() throws Exception {
    KeyPolicy p = allowIf("{\"Bool\":{\"kms:GrantIsForAWSResource\":\"false\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void nullTrue_holdsWhenKeyAbsent() throws Exception {
    KeyPolicy p = allowIf("{\"Null\":{\"kms:EncryptionContextKeys\":\"true\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(false));
  }

  @Test
  void nullFalse_holdsWhenKeyPresent() throws Exception {
    KeyPolicy p = allowIf("{\"Null\":{\"kms:EncryptionContextKeys\":\"false\"}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(true));
    assertThat(holds(p, ctx()), equalTo(false));
  }

  @Test
  void nullOnContextEntry_tellsPresenceOfThatEntry() throws Exception {
    KeyPolicy p = allowIf("{\"Null\":{\"kms:EncryptionContext:Department\":\"false\"}}");
    assertThat(holds(p, ctx("Department", "x")), equalTo(true));
    assertThat(holds(p, ctx("Project", "x")), equalTo(false));
  }

  @Test
  void ifExists_absentKey_holds() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringEqualsIfExists\":{\"kms:EncryptionContext:Department\":\"Finance\"}}");
    assertThat(holds(p, ctx("Project", "X")), equalTo(true));
    assertThat(holds(p, ctx()), equalTo(true));
  }

  @Test
  void ifExists_presentKey_isTested() throws Exception {
    KeyPolicy p =
        allowIf("{\"StringEqualsIfExists\":{\"kms:EncryptionContext:Department\":\"Finance\"}}");
    assertThat(holds(p, ctx("Department", "Finance")), equalTo(true));
    assertThat(holds(p, ctx("Department", "HR")), equalTo(false));
  }

  @Test
  void boolIfExists_absentKey_holds() throws Exception {
    KeyPolicy p = allowIf("{\"BoolIfExists\":{\"kms:ReEncryptOnSameKey\":\"true\"}}");
    assertThat(holds(p, ctx()), equalTo(true));
  }

  private static final String ANY_DEPT_OR_PROJECT =
      "{\"ForAnyValue:StringEquals\":{\"kms:EncryptionContextKeys\":[\"Department\",\"Project\"]}}";
  private static final String ALL_DEPT_OR_PROJECT =
      "{\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":[\"Department\",\"Project\"]}}";

  @Test
  void forAnyValue_oneContextKeyListed_holds() throws Exception {
    assertThat(
        holds(allowIf(ANY_DEPT_OR_PROJECT), ctx("Other", "1", "Project", "2")), equalTo(true));
  }

  @Test
  void forAnyValue_noContextKeyListed_doesNotHold() throws Exception {
    assertThat(holds(allowIf(ANY_DEPT_OR_PROJECT), ctx("Other", "1")), equalTo(false));
  }

  @Test
  void forAnyValue_noContext_doesNotHold() throws Exception {
    assertThat(holds(allowIf(ANY_DEPT_OR_PROJECT), ctx()), equalTo(false));
  }

  /**
   * IAM: ForAnyValue over a missing key is false, whatever the operator ("For no matching context
   * key or a null dataset, the condition returns false").
   */
  @Test
  void forAnyValue_negatedOperator_noContext_doesNotHold() throws Exception {
    KeyPolicy p =
        allowIf("{\"ForAnyValue:StringNotEquals\":{\"kms:EncryptionContextKeys\":\"Department\"}}");
    assertThat(holds(p, ctx()), equalTo(false));
  }

  /** Seen on AWS IAM too (repost.aws "ForAnyValue:StringEqualsIfExists behaving unexpectedly"). */
  @Test
  void forAnyValue_ifExists_noContext_doesNotHold() throws Exception {
    KeyPolicy p =
        allowIf(
            "{\"ForAnyValue:StringEqualsIfExists\":{\"kms:EncryptionContextKeys\":\"Department\"}}");
    assertThat(holds(p, ctx()), equalTo(false));
  }

  @Test
  void forAnyValue_negatedOperator_someKeyNotListed_holds() throws Exception {
    KeyPolicy p =
        allowIf("{\"ForAnyValue:StringNotEquals\":{\"kms:EncryptionContextKeys\":\"Department\"}}");
    assertThat(holds(p, ctx("Department", "1", "Other", "2")), equalTo(true));
    assertThat(holds(p, ctx("Department", "1")), equalTo(false));
  }

  @Test
  void forAllValues_everyContextKeyListed_holds() throws Exception {
    assertThat(
        holds(allowIf(ALL_DEPT_OR_PROJECT), ctx("Department", "1", "Project", "2")), equalTo(true));
    assertThat(holds(allowIf(ALL_DEPT_OR_PROJECT), ctx("Department", "1")), equalTo(true));
  }

  @Test
  void forAllValues_oneContextKeyNotListed_doesNotHold() throws Exception {
    assertThat(
        holds(allowIf(ALL_DEPT_OR_PROJECT), ctx("Department", "1", "Other", "2")), equalTo(false));
  }

  /** IAM: ForAllValues over a missing key is vacuously true. */
  @Test
  void forAllValues_noContext_holds() throws Exception {
    assertThat(holds(allowIf(ALL_DEPT_OR_PROJECT), ctx()), equalTo(true));
  }

  @Test
  void forAllValues_stringLike_appliesToEveryKey() throws Exception {
    KeyPolicy p =
        allowIf("{\"ForAllValues:StringLike\":{\"kms:EncryptionContextKeys\":\"app:*\"}}");
    assertThat(holds(p, ctx("app:a", "1", "app:b", "2")), equalTo(true));
    assertThat(holds(p, ctx("app:a", "1", "other", "2")), equalTo(false));
  }

  @Test
  void forAllValues_withNullFalse_requiresAContext() throws Exception {
    KeyPolicy p =
        allowIf(
            "{\"Null\":{\"kms:EncryptionContextKeys\":\"false\"},"
                + "\"ForAllValues:StringEquals\":{\"kms:EncryptionContextKeys\":\"Department\"}}");
    assertThat(holds(p, ctx()), equalTo(false));
    assertThat(holds(p, ctx("Department", "1")), equalTo(true));
  }

  @Test
  void denyWithCondition_deniesOnlyWhenItHolds() throws Exception {
    KeyPolicy p =
        KeyPolicy.parse(
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\","
                + "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":"
                + "{\"kms:ReEncryptOnSameKey\":\"true\"}}}]}");
    assertThat(
        p.evaluate(RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(true).build()),
        equalTo(Decision.EXPLICIT_DENY));
    assertThat(
        p.evaluate(
            RequestContext.builder(ALICE, ACTION, KEY_ARN).reEncryptOnSameKey(false).build()),
        equalTo(Decision.ALLOW));
  }

  @Test
  void encryptionAlgorithm_canBeRequired() throws Exception {
    KeyPolicy p = allowIf("{\"StringEquals\":{\"kms:EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}}");
    assertThat(
        holds(
            p,
            RequestContext.builder(ALICE, ACTION, KEY_ARN)
                .encryptionAlgorithm("SYMMETRIC_DEFAULT")),
        equalTo(true));
    assertThat(
        holds(
            p,
            RequestContext.builder(ALICE, ACTION, KEY_ARN).encryptionAlgorithm("RSAES_OAEP_SHA_1")),
        equalTo(false));
  }
}
