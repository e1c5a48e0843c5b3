package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyId;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

  /**
   * One request against one policy: what {@code who} asking for {@code action} on {@code resource}
   * gets. {@code behaviour} names the rule the row checks.
   */
  record Case(
      String behaviour,
      String policy,
      Principal who,
      String action,
      String resource,
      Decision expected) {
    @Override
    public String toString() {
      return behaviour;
    }
  }

  private static Case onKey(
      String behaviour, String policy, Principal who, String action, Decision expected) {
    return new Case(behaviour, policy, who, action, KEY_ARN, expected);
  }

  private static String statements(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  private static final String ALLOW_ALL = allow("\"*\"", "\"kms:*\"");
  private static final String DENY_REENCRYPT_TO =
      statement("Deny", "\"*\"", "\"kms:ReEncryptTo\"", "\"*\"");
  private static final String ALICE_MAY_REENCRYPT_FROM =
      statements(allow("{\"AWS\":\"" + ALICE.arn() + "\"}", "\"kms:ReEncryptFrom\""));

  /** Effect: an explicit Deny wins over any Allow, in any order; nothing matching denies. */
  static Stream<Case> effects() {
    return Stream.of(
        onKey(
            "matching Allow allows",
            ALICE_MAY_REENCRYPT_FROM,
            ALICE,
            "kms:ReEncryptFrom",
            Decision.ALLOW),
        onKey(
            "no statement matches: implicit deny",
            ALICE_MAY_REENCRYPT_FROM,
            ALICE,
            "kms:ReEncryptTo",
            Decision.IMPLICIT_DENY),
        onKey(
            "Deny and Allow both match: explicit deny wins",
            statements(ALLOW_ALL, DENY_REENCRYPT_TO),
            ALICE,
            "kms:ReEncryptTo",
            Decision.EXPLICIT_DENY),
        onKey(
            "Deny before Allow: explicit deny wins",
            statements(DENY_REENCRYPT_TO, ALLOW_ALL),
            ALICE,
            "kms:ReEncryptTo",
            Decision.EXPLICIT_DENY),
        onKey(
            "Deny for another action still allows",
            statements(ALLOW_ALL, DENY_REENCRYPT_TO),
            ALICE,
            "kms:ReEncryptFrom",
            Decision.ALLOW),
        onKey(
            "only a Deny matches: explicit deny",
            statements(statement("Deny", "\"*\"", "\"kms:*\"", "\"*\"")),
            ROOT,
            "kms:Decrypt",
            Decision.EXPLICIT_DENY));
  }

  /**
   * Principal: * and AWS * match anyone; an account ID is its root only (QKMS has no IAM, so unlike
   * AWS not its users); an ARN matches that principal only; NotPrincipal matches everyone else.
   */
  static Stream<Case> principals() {
    String decryptBy = "\"kms:Decrypt\"";
    String anyone = statements(allow("\"*\"", decryptBy));
    String account = statements(allow("{\"AWS\":\"111122223333\"}", decryptBy));
    String aliceOnly = statements(allow("{\"AWS\":\"" + ALICE.arn() + "\"}", decryptBy));
    String aliceAndAdmin =
        statements(
            allow("{\"AWS\":[\"" + ALICE.arn() + "\",\"" + ADMIN_ROLE.arn() + "\"]}", decryptBy));
    String notRoot =
        "{\"Statement\":{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\""
            + ROOT.arn()
            + "\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}}";
    Principal otherRoot = Principal.root(OTHER_ACCOUNT);
    return Stream.of(
        onKey("* matches another account's root", anyone, otherRoot, "kms:Decrypt", Decision.ALLOW),
        onKey("* matches a role", anyone, ADMIN_ROLE, "kms:Decrypt", Decision.ALLOW),
        onKey(
            "AWS * matches anyone",
            statements(allow("{\"AWS\":\"*\"}", decryptBy)),
            BOB,
            "kms:Decrypt",
            Decision.ALLOW),
        onKey("account ID matches its root", account, ROOT, "kms:Decrypt", Decision.ALLOW),
        onKey(
            "account ID does not match users of the account",
            account,
            ALICE,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "account root ARN does not match roles",
            statements(allow("{\"AWS\":\"" + ROOT.arn() + "\"}", decryptBy)),
            ADMIN_ROLE,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "account ID does not match another account's root",
            account,
            otherRoot,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey("user ARN matches that user", aliceOnly, ALICE, "kms:Decrypt", Decision.ALLOW),
        onKey(
            "user ARN does not match another user",
            aliceOnly,
            BOB,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "user ARN does not match the root",
            aliceOnly,
            ROOT,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "user ARN of another account does not match the same name here",
            statements(
                allow(
                    "{\"AWS\":\"" + Principal.user(OTHER_ACCOUNT, "alice").arn() + "\"}",
                    decryptBy)),
            ALICE,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "principal list matches a listed user",
            aliceAndAdmin,
            ALICE,
            "kms:Decrypt",
            Decision.ALLOW),
        onKey(
            "principal list matches a listed role",
            aliceAndAdmin,
            ADMIN_ROLE,
            "kms:Decrypt",
            Decision.ALLOW),
        onKey(
            "principal list does not match others",
            aliceAndAdmin,
            BOB,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "NotPrincipal matches everyone else",
            notRoot,
            ALICE,
            "kms:Decrypt",
            Decision.EXPLICIT_DENY),
        onKey(
            "NotPrincipal does not match the principal it names",
            notRoot,
            ROOT,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY));
  }

  /** Action: wildcards * and ?, case-insensitive; lists; NotAction. */
  static Stream<Case> actions() {
    String reEncryptStar = statements(allow("\"*\"", "\"kms:ReEncrypt*\""));
    String oneCharacter = statements(allow("\"*\"", "\"kms:Re?ncrypt*\""));
    String list = statements(allow("\"*\"", "[\"kms:Encrypt\",\"kms:ReEncryptTo\"]"));
    String notReEncrypt =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
            + "\"NotAction\":\"kms:ReEncrypt*\",\"Resource\":\"*\"}}";
    Stream<Case> kmsStar =
        Stream.of(
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:CreateGrant")
            .map(a -> onKey("kms:* matches " + a, statements(ALLOW_ALL), ALICE, a, Decision.ALLOW));
    Stream<Case> reEncryptHalves =
        Stream.of("kms:ReEncryptFrom", "kms:ReEncryptTo")
            .flatMap(
                a ->
                    Stream.of(
                        onKey(
                            "kms:ReEncrypt* matches " + a, reEncryptStar, ALICE, a, Decision.ALLOW),
                        onKey(
                            "? matches one character in " + a,
                            oneCharacter,
                            ALICE,
                            a,
                            Decision.ALLOW)));
    Stream<Case> notReEncryptActions =
        Stream.of("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey")
            .map(
                a ->
                    onKey(
                        "kms:ReEncrypt* does not match " + a,
                        reEncryptStar,
                        ALICE,
                        a,
                        Decision.IMPLICIT_DENY));
    Stream<Case> caseInsensitive =
        Stream.of("KMS:REENCRYPTFROM", "kms:reencryptfrom", "Kms:ReEncryptFrom")
            .map(
                inPolicy ->
                    onKey(
                        "action " + inPolicy + " in a policy is case-insensitive",
                        statements(allow("\"*\"", "\"" + inPolicy + "\"")),
                        ALICE,
                        "kms:ReEncryptFrom",
                        Decision.ALLOW));
    Stream<Case> others =
        Stream.of(
            onKey(
                "kms:* does not match other services",
                statements(ALLOW_ALL),
                ALICE,
                "s3:GetObject",
                Decision.IMPLICIT_DENY),
            onKey(
                "? does not match zero characters",
                statements(allow("\"*\"", "\"kms:Re?Encrypt*\"")),
                ALICE,
                "kms:ReEncryptFrom",
                Decision.IMPLICIT_DENY),
            onKey(
                "action wildcard is case-insensitive",
                statements(allow("\"*\"", "\"KMS:reencrypt*\"")),
                ALICE,
                "kms:ReEncryptTo",
                Decision.ALLOW),
            onKey(
                "action list matches a listed action",
                list,
                ALICE,
                "kms:ReEncryptTo",
                Decision.ALLOW),
            onKey(
                "action list does not match others",
                list,
                ALICE,
                "kms:ReEncryptFrom",
                Decision.IMPLICIT_DENY),
            onKey(
                "NotAction matches every other action",
                notReEncrypt,
                ALICE,
                "kms:Decrypt",
                Decision.ALLOW),
            onKey(
                "NotAction does not match the actions it names",
                notReEncrypt,
                ALICE,
                "kms:ReEncryptFrom",
                Decision.IMPLICIT_DENY));
    return Stream.of(kmsStar, reEncryptHalves, notReEncryptActions, caseInsensitive, others)
        .flatMap(c -> c);
  }

  /** Resource: * matches any key; an ARN that key only, case-sensitively; key/* the account's. */
  static Stream<Case> resources() {
    String decrypt = "\"kms:Decrypt\"";
    String thisKey = statements(statement("Allow", "\"*\"", decrypt, "\"" + KEY_ARN + "\""));
    String notOtherKey =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Decrypt\","
            + "\"NotResource\":\""
            + OTHER_KEY_ARN
            + "\"}}";
    return Stream.of(
        new Case(
            "* matches any key",
            statements(statement("Allow", "\"*\"", decrypt, "\"*\"")),
            ALICE,
            "kms:Decrypt",
            OTHER_KEY_ARN,
            Decision.ALLOW),
        onKey("key ARN matches that key", thisKey, ALICE, "kms:Decrypt", Decision.ALLOW),
        new Case(
            "key ARN does not match another key",
            thisKey,
            ALICE,
            "kms:Decrypt",
            OTHER_KEY_ARN,
            Decision.IMPLICIT_DENY),
        onKey(
            "resource ARN is case-sensitive",
            statements(
                statement(
                    "Allow", "\"*\"", decrypt, "\"" + KEY_ARN.replace("key/", "KEY/") + "\"")),
            ALICE,
            "kms:Decrypt",
            Decision.IMPLICIT_DENY),
        onKey(
            "key/* matches the keys of the account",
            statements(statement("Allow", "\"*\"", decrypt, "\"arn:verenc:111122223333:key/*\"")),
            ALICE,
            "kms:Decrypt",
            Decision.ALLOW),
        onKey("NotResource matches other keys", notOtherKey, ALICE, "kms:Decrypt", Decision.ALLOW),
        new Case(
            "NotResource does not match the key it names",
            notOtherKey,
            ALICE,
            "kms:Decrypt",
            OTHER_KEY_ARN,
            Decision.IMPLICIT_DENY));
  }

  /** The default policy: the account root may do everything; nobody else anything. */
  static Stream<Case> defaultPolicy() {
    String p = KeyPolicy.defaultPolicyJson(ACCOUNT);
    return Stream.of(
        onKey("root may ReEncryptFrom", p, ROOT, "kms:ReEncryptFrom", Decision.ALLOW),
        onKey("root may PutKeyPolicy", p, ROOT, "kms:PutKeyPolicy", Decision.ALLOW),
        onKey("a user gets nothing", p, ALICE, "kms:Decrypt", Decision.IMPLICIT_DENY),
        onKey("a role gets nothing", p, ADMIN_ROLE, "kms:Decrypt", Decision.IMPLICIT_DENY),
        onKey(
            "another account gets nothing",
            p,
            Principal.root(OTHER_ACCOUNT),
            "kms:Decrypt",
            Decision.IMPLICIT_DENY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"effects", "principals", "actions", "resources", "defaultPolicy"})
  void evaluate_givesTheDecisionThePolicySays(Case c) throws Exception {
    KeyPolicy p = KeyPolicy.parse(c.policy());
    assertThat(
        p.evaluate(RequestContext.builder(c.who(), c.action(), c.resource()).build()),
        equalTo(c.expected()));
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
