package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What KeyPolicy.parse refuses, and the message it gives. */
class KeyPolicyParseTest {
  private static final String ALLOW_ROOT =
      "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
          + "\"Action\":\"kms:*\",\"Resource\":\"*\"}";

  private static String message(String document) {
    return assertThrows(PolicyException.class, () -> KeyPolicy.parse(document)).getMessage();
  }

  /** The AWS limit on a key policy's size, from the KMS API reference (PutKeyPolicy). */
  private static final int AWS_MAX_POLICY_CHARS = 32_768;

  private static final String KEY_ARN =
      "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  /** Whether {@code policy} lets the account root encrypt with the key. */
  private static Decision rootEncrypt(KeyPolicy policy) {
    return policy.evaluate(
        RequestContext.builder(Principal.root(AccountId.of("111122223333")), "kms:Encrypt", KEY_ARN)
            .build());
  }

  private static String withStatement(String statement) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + statement + "]}";
  }

  @Test
  void parse_validPolicy_givesThePolicyItSays() throws Exception {
    assertThat(rootEncrypt(KeyPolicy.parse(withStatement(ALLOW_ROOT))), equalTo(Decision.ALLOW));
  }

  @Test
  void parse_singleStatementObject_isReadAsAListOfOne() throws Exception {
    assertThat(
        rootEncrypt(KeyPolicy.parse("{\"Statement\":" + ALLOW_ROOT + "}")),
        equalTo(Decision.ALLOW));
  }

  @Test
  void parse_notJson_isRejected() {
    assertThat(message("{\"Statement\": ["), equalTo("The policy document is not valid JSON"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n"})
  void parse_blank_isRejected(String document) {
    assertThat(message(document), equalTo("The policy document is empty"));
  }

  @Test
  void parse_null_isRejected() {
    assertThat(message(null), equalTo("The policy document is empty"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"policy\"", "42", "null"})
  void parse_notAnObject_isRejected(String document) {
    assertThat(message(document), equalTo("The policy document must be a JSON object"));
  }

  @Test
  void parse_noStatement_isRejected() {
    assertThat(message("{\"Version\":\"2012-10-17\"}"), equalTo("The policy has no Statement"));
  }

  @Test
  void parse_emptyStatementList_isRejected() {
    assertThat(message("{\"Statement\":[]}"), equalTo("The policy has no Statement"));
  }

  @Test
  void parse_statementNotAnObject_isRejected() {
    assertThat(
        message("{\"Statement\":[\"Allow\"]}"), equalTo("Each Statement must be a JSON object"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"allow\"", "\"Permit\"", "\"\"", "1", "[\"Allow\"]"})
  void parse_badEffect_isRejected(String effect) {
    String st =
        "{\"Effect\":" + effect + ",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}";
    assertThat(message(withStatement(st)), equalTo("Statement Effect must be Allow or Deny"));
  }

  /**
   * Statements with a member missing, doubled, misspelt or of the wrong form (Principal, Action,
   * Condition): each with the message it gets.
   */
  static Stream<Arguments> badStatements() {
    return Stream.of(
        rejected(
            "missing Effect",
            "{\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "Statement Effect must be Allow or Deny"),
        rejected(
            "missing Principal",
            "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "A key policy statement needs exactly one of Principal, NotPrincipal"),
        rejected(
            "Principal and NotPrincipal",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotPrincipal\":\"*\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "A key policy statement needs exactly one of Principal, NotPrincipal"),
        rejected(
            "missing Action",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Resource\":\"*\"}",
            "A statement needs exactly one of Action, NotAction"),
        rejected(
            "Action and NotAction",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\","
                + "\"NotAction\":\"kms:Decrypt\",\"Resource\":\"*\"}",
            "A statement needs exactly one of Action, NotAction"),
        rejected(
            "missing Resource",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\"}",
            "A statement needs exactly one of Resource, NotResource"),
        rejected(
            "unknown field",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
                + "\"Resources\":\"*\"}",
            "Unknown field in Statement: Resources"),
        rejected(
            "lower-case field name",
            "{\"effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "Unknown field in Statement: effect"),
        rejected(
            "service principal",
            "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},"
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "Unsupported principal type: Service"),
        rejected(
            "principal string other than *",
            "{\"Effect\":\"Allow\",\"Principal\":\"arn:verenc:111122223333:root\","
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "Principal must be \"*\" or {\"AWS\": ...}"),
        rejected(
            "empty principal list",
            "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"kms:*\",\"Resource\":\"*\"}",
            "Principal must be a string or a non-empty list of strings"),
        rejected(
            "empty action list",
            "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[],\"Resource\":\"*\"}",
            "Action must be a string or a non-empty list of strings"),
        rejected(
            "Condition not an object",
            conditioned("[\"StringEquals\"]"),
            "Condition must be a JSON object"),
        rejected(
            "Condition operator not an object",
            conditioned("{\"StringEquals\":\"kms:CallerAccount\"}"),
            "Condition StringEquals must map keys to values"),
        rejected(
            "Condition with an empty value list",
            conditioned("{\"StringEquals\":{\"kms:CallerAccount\":[]}}"),
            "Condition must be a string or a non-empty list of strings"),
        rejected(
            "Condition with an object value",
            conditioned("{\"StringEquals\":{\"kms:CallerAccount\":[{}]}}"),
            "Condition values must be strings"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badStatements")
  void parse_badStatement_isRejectedWithWhatIsWrong(String statement, String expected) {
    assertThat(message(withStatement(statement)), equalTo(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "NumericLessThan",
        "DateGreaterThan",
        "ArnLike",
        "IpAddress",
        "stringequals",
        "NullIfExists",
        "ForAnyValue:Null",
        "ForSomeValues:StringEquals"
      })
  void parse_unsupportedConditionOperator_isRejected(String operator) {
    String st = conditioned("{\"" + operator + "\":{\"kms:CallerAccount\":\"111122223333\"}}");
    assertThat(message(withStatement(st)), equalTo("Unsupported condition operator: " + operator));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "arn:aws:iam::111122223333:root",
        "arn:verenc:111122223333:group/admins",
        "arn:verenc:11112222333:root",
        "arn:verenc:111122223333:user/bad name",
        "11112222333",
        "alice"
      })
  void parse_badPrincipal_isRejected(String principal) {
    String st =
        "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
            + principal
            + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}";
    assertThat(message(withStatement(st)), equalTo("Invalid principal in policy: " + principal));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"2012-10-18\"", "\"2020-01-01\"", "\"\"", "2012", "[\"2012-10-17\"]"})
  void parse_badVersion_isRejected(String version) {
    String doc = "{\"Version\":" + version + ",\"Statement\":[" + ALLOW_ROOT + "]}";
    assertThat(message(doc), equalTo("Unsupported policy Version: " + version));
  }

  @Test
  void parse_version2008_isAccepted() throws Exception {
    KeyPolicy policy =
        KeyPolicy.parse("{\"Version\":\"2008-10-17\",\"Statement\":[" + ALLOW_ROOT + "]}");
    assertThat(rootEncrypt(policy), equalTo(Decision.ALLOW));
  }

  @Test
  void parse_exactly32768Characters_isAccepted() throws Exception {
    String doc = withStatement(ALLOW_ROOT);
    String padded = doc + " ".repeat(AWS_MAX_POLICY_CHARS - doc.length());
    assertThat(padded.length(), equalTo(32_768));
    assertThat(rootEncrypt(KeyPolicy.parse(padded)), equalTo(Decision.ALLOW));
  }

  @Test
  void parse_32769Characters_isRejected() {
    String doc = withStatement(ALLOW_ROOT);
    String padded = doc + " ".repeat(AWS_MAX_POLICY_CHARS + 1 - doc.length());
    assertThat(padded.length(), equalTo(32_769));
    assertThat(message(padded), equalTo("The policy document is longer than 32768 characters"));
  }

  private static Arguments rejected(String what, String input, String message) {
    return Arguments.of(Named.of(what, input), message);
  }

  private static String conditioned(String condition) {
    return "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\",\"Resource\":\"*\","
        + "\"Condition\":"
        + condition
        + "}";
  }
}
