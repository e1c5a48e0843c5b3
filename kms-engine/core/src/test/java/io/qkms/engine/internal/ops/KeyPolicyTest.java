package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.BOB;
import static io.qkms.engine.internal.ops.Calls.BOB_ARN;
import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ROOT_ARN;
import static io.qkms.engine.internal.ops.Calls.allow;
import static io.qkms.engine.internal.ops.Calls.allowIf;
import static io.qkms.engine.internal.ops.Calls.assertAccessDenied;
import static io.qkms.engine.internal.ops.Calls.assertBobMayNotEncrypt;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.deny;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.explicitDeny;
import static io.qkms.engine.internal.ops.Calls.keys;
import static io.qkms.engine.internal.ops.Calls.policy;
import static io.qkms.engine.internal.ops.Calls.reEncrypt;
import static io.qkms.engine.internal.ops.Calls.rootMayDoAll;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.MalformedPolicyDocumentException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.GetKeyPolicyRequest;
import io.qkms.engine.api.model.GetKeyPolicyResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.testing.EngineFixture;
import io.qkms.engine.wire.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key policies through CreateKey, PutKeyPolicy and the data path's authorization. */
class KeyPolicyTest {
  private static final Map<String, String> ACME = ctx("tenant", "acme");
  private static final Map<String, String> BETA = ctx("tenant", "beta");
  private static final String SAME_KEY_ONLY = "{\"Bool\":{\"kms:ReEncryptOnSameKey\":\"true\"}}";
  private static final String TENANT_ACME =
      "{\"StringEquals\":{\"kms:EncryptionContext:tenant\":\"acme\"}}";

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private KeyMetadata keyWithPolicy(String policy) {
    return Calls.create(f.engine, ROOT, CreateKeyRequest.builder().policy(policy).build());
  }

  /** A key whose policy lets the root do everything and Bob do {@code actions}. */
  private KeyMetadata keyLettingBob(String... actions) {
    return keyWithPolicy(policy(rootMayDoAll(), allow(BOB_ARN, actions)));
  }

  /** A key whose policy lets Bob ReEncrypt (from and to) under the condition. */
  private KeyMetadata keyLettingBobReEncryptIf(String conditionJson) {
    return keyWithPolicy(policy(rootMayDoAll(), allowIf(BOB_ARN, conditionJson, "kms:ReEncrypt*")));
  }

  private void putPolicy(String keyId, String policy) {
    f.engine.putKeyPolicy(ROOT, new PutKeyPolicyRequest(keyId, null, policy, null));
  }

  private String storedPolicy(String keyId) {
    return f.engine.getKeyPolicy(ROOT, new GetKeyPolicyRequest(keyId, null)).policy();
  }

  // ---- The default policy --------------------------------------------------------------------

  @Test
  void defaultPolicy_isTheRootMayDoEverythingDocument() throws Exception {
    KeyMetadata m = f.symmetricKey();

    JsonNode stored = Json.mapper().readTree(storedPolicy(m.keyId()));

    assertThat(
        stored,
        equalTo(
            Json.mapper()
                .readTree(
                    "{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{\"Sid\":"
                        + "\"Enable IAM User Permissions\",\"Effect\":\"Allow\",\"Principal\":"
                        + "{\"AWS\":\"arn:verenc:111122223333:root\"},\"Action\":\"kms:*\","
                        + "\"Resource\":\"*\"}]}")));
  }

  @Test
  void defaultPolicy_rootMayUseAndManageTheKey() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    byte[] blob = f.encrypt(a.keyId(), "root data", ACME);

    ReEncryptResponse r = reEncrypt(f.engine, ROOT, blob, a.keyId(), ACME, b.keyId(), BETA);
    f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(b.keyId()));
    f.engine.disableKey(ROOT, new DisableKeyRequest(a.keyId()));
    f.engine.enableKey(ROOT, new EnableKeyRequest(a.keyId()));
    putPolicy(a.keyId(), policy(rootMayDoAll()));

    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), BETA), equalTo("root data"));
    assertThat(storedPolicy(a.keyId()), equalTo(policy(rootMayDoAll())));
  }

  @Test
  void defaultPolicy_userMayNotReEncrypt() {
    KeyMetadata a = f.symmetricKey();
    KeyMetadata b = f.symmetricKey();
    byte[] blob = f.encrypt(a.keyId(), "x", null);

    assertKmsError(
        AccessDeniedException.class,
        "User: arn:verenc:111122223333:user/bob is not authorized to perform: kms:ReEncryptFrom"
            + " on resource: "
            + a.arn()
            + " because no resource-based policy allows the kms:ReEncryptFrom action",
        () -> reEncrypt(f.engine, BOB, blob, null, null, b.keyId(), null));
  }

  @Test
  void defaultPolicy_userMayNotEncrypt() {
    KeyMetadata m = f.symmetricKey();

    assertBobMayNotEncrypt(f.engine, m);
  }

  @Test
  void defaultPolicy_userMayNotDescribeKey() {
    KeyMetadata m = f.symmetricKey();

    assertAccessDenied(BOB_ARN, "kms:DescribeKey", m, () -> describe(f.engine, BOB, m.keyId()));
  }

  @Test
  void accountIdAsPrincipal_meansOnlyTheRoot_notTheAccountsUsers() {
    // QKMS has no IAM: the account in a policy does not delegate to users as it does in AWS.
    KeyMetadata m = keyWithPolicy(policy(allow("111122223333", "kms:*")));

    assertThat(
        decrypt(f.engine, ROOT, f.encrypt(m.keyId(), "root ok", null), null), equalTo("root ok"));
    assertBobMayNotEncrypt(f.engine, m);
  }

  // ---- Allow, Deny, wildcards ----------------------------------------------------------------

  @Test
  void explicitDeny_winsOverAnAllowOfTheSameAction() {
    KeyMetadata m =
        keyWithPolicy(
            policy(rootMayDoAll(), allow(BOB_ARN, "kms:*"), deny(BOB_ARN, "kms:ReEncryptFrom")));
    byte[] blob = encrypt(f.engine, BOB, m.keyId(), "x", null); // the Allow still works elsewhere

    assertKmsError(
        AccessDeniedException.class,
        "User: arn:verenc:111122223333:user/bob is not authorized to perform: kms:ReEncryptFrom"
            + " on resource: "
            + m.arn()
            + " with an explicit deny in a resource-based policy",
        () -> reEncrypt(f.engine, BOB, blob, null, null, m.keyId(), null));
  }

  @Test
  void explicitDeny_winsOverAGrant() {
    KeyMetadata m = keyWithPolicy(policy(rootMayDoAll(), deny(BOB_ARN, "kms:ReEncrypt*")));
    Calls.grant(f.engine, m.keyId(), BOB_ARN, "ReEncryptFrom", "ReEncryptTo");
    byte[] blob = f.encrypt(m.keyId(), "x", null);

    assertKmsError(
        AccessDeniedException.class,
        explicitDeny(BOB_ARN, "kms:ReEncryptFrom", m.arn()),
        () -> reEncrypt(f.engine, BOB, blob, null, null, m.keyId(), null));
  }

  @Test
  void reEncryptWildcard_coversReEncryptFromAndReEncryptTo() {
    KeyMetadata a = keyLettingBob("kms:ReEncrypt*");
    KeyMetadata b = keyLettingBob("kms:ReEncrypt*");
    byte[] blob = f.encrypt(a.keyId(), "moved by bob", ACME);

    ReEncryptResponse r = reEncrypt(f.engine, BOB, blob, a.keyId(), ACME, b.keyId(), BETA);

    assertThat(r.keyId(), equalTo(b.arn()));
    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), BETA), equalTo("moved by bob"));
  }

  @Test
  void reEncryptWildcard_doesNotAllowDecrypt() {
    KeyMetadata a = keyLettingBob("kms:ReEncrypt*");
    byte[] blob = f.encrypt(a.keyId(), "x", null);

    assertAccessDenied(BOB_ARN, "kms:Decrypt", a, () -> decrypt(f.engine, BOB, blob, null));
  }

  @Test
  void actionNames_matchIgnoringCase() {
    KeyMetadata a = keyLettingBob("KMS:reencrypt*");
    byte[] blob = f.encrypt(a.keyId(), "case", null);

    ReEncryptResponse r = reEncrypt(f.engine, BOB, blob, null, null, a.keyId(), null);

    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), null), equalTo("case"));
  }

  @Test
  void reEncryptFromWithoutReEncryptTo_isDeniedOnTheDestination() {
    KeyMetadata a = keyLettingBob("kms:ReEncryptFrom");
    byte[] blob = f.encrypt(a.keyId(), "x", null);

    assertAccessDenied(
        BOB_ARN,
        "kms:ReEncryptTo",
        a,
        () -> reEncrypt(f.engine, BOB, blob, null, null, a.keyId(), null));
  }

  @Test
  void resource_namingAnotherKey_doesNotApplyToThisKey() {
    KeyMetadata other = f.symmetricKey();
    KeyMetadata m =
        keyWithPolicy(
            policy(
                rootMayDoAll(),
                "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                    + BOB_ARN
                    + "\"},\"Action\":\"kms:Encrypt\",\"Resource\":\""
                    + other.arn()
                    + "\"}"));

    assertBobMayNotEncrypt(f.engine, m);
  }

  @Test
  void principalStar_allowsAnyCaller() {
    KeyMetadata m =
        keyWithPolicy(
            "{\"Version\":\"2012-10-17\",\"Statement\":["
                + rootMayDoAll()
                + ",{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:Encrypt\","
                + "\"Resource\":\"*\"}]}");

    byte[] blob = encrypt(f.engine, BOB, m.keyId(), "anyone", null);

    assertThat(decrypt(f.engine, ROOT, blob, null), equalTo("anyone"));
  }

  // ---- Conditions ----------------------------------------------------------------------------

  /** Bob re-encrypts a blob of {@code key} (context ACME) to the same key and context. */
  private void assertBobReEncryptsInPlace(KeyMetadata key) {
    byte[] blob = f.encrypt(key.keyId(), "in place", ACME);

    ReEncryptResponse r = reEncrypt(f.engine, BOB, blob, key.keyId(), ACME, key.keyId(), ACME);

    assertThat(decrypt(f.engine, ROOT, r.ciphertextBlob(), ACME), equalTo("in place"));
  }

  @Test
  void reEncryptOnSameKeyCondition_allowsReEncryptingToTheSameKey() {
    assertBobReEncryptsInPlace(keyLettingBobReEncryptIf(SAME_KEY_ONLY));
  }

  @Test
  void reEncryptOnSameKeyCondition_deniesReEncryptingToAnotherKey() {
    KeyMetadata a = keyLettingBobReEncryptIf(SAME_KEY_ONLY);
    KeyMetadata b = keyLettingBob("kms:ReEncryptTo");
    byte[] blob = f.encrypt(a.keyId(), "stay", ACME);

    assertAccessDenied(
        BOB_ARN,
        "kms:ReEncryptFrom",
        a,
        () -> reEncrypt(f.engine, BOB, blob, a.keyId(), ACME, b.keyId(), ACME));
  }

  @Test
  void encryptionContextCondition_matchingSourceAndDestination_isAllowed() {
    assertBobReEncryptsInPlace(keyLettingBobReEncryptIf(TENANT_ACME));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "ReEncryptFrom is judged on the source context | beta | acme | kms:ReEncryptFrom",
        "ReEncryptTo is judged on the destination context | acme | beta | kms:ReEncryptTo",
        "a blob without context is denied | | acme | kms:ReEncryptFrom"
      })
  void encryptionContextCondition_contextThatDoesNotMatch_isDenied(
      String behaviour, String sourceTenant, String destinationTenant, String deniedAction) {
    KeyMetadata k = keyLettingBobReEncryptIf(TENANT_ACME);
    Map<String, String> sourceContext = sourceTenant == null ? null : ctx("tenant", sourceTenant);
    Map<String, String> destinationContext = ctx("tenant", destinationTenant);
    byte[] blob = f.encrypt(k.keyId(), "tenant data", sourceContext);

    assertAccessDenied(
        BOB_ARN,
        deniedAction,
        k,
        () ->
            reEncrypt(
                f.engine, BOB, blob, k.keyId(), sourceContext, k.keyId(), destinationContext));
  }

  // ---- PutKeyPolicy, GetKeyPolicy, validation ------------------------------------------------

  @Test
  void putKeyPolicy_takesEffectOnTheDataPathAtOnce() {
    KeyMetadata m = f.symmetricKey();
    assertBobMayNotEncrypt(f.engine, m);

    putPolicy(m.keyId(), policy(rootMayDoAll(), allow(BOB_ARN, "kms:Encrypt", "kms:Decrypt")));

    byte[] blob = encrypt(f.engine, BOB, m.keyId(), "now allowed", null);
    assertThat(decrypt(f.engine, BOB, blob, null), equalTo("now allowed"));
  }

  @Test
  void getKeyPolicy_returnsTheStoredDocumentVerbatim() {
    String document =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": ["
            + rootMayDoAll()
            + ", "
            + allow(BOB_ARN, "kms:Encrypt")
            + "]\n}";
    KeyMetadata m = keyWithPolicy(document);

    GetKeyPolicyResponse r =
        f.engine.getKeyPolicy(ROOT, new GetKeyPolicyRequest(m.keyId(), "default"));

    assertThat(r.policy(), equalTo(document));
    assertThat(r.policyName(), equalTo("default"));
  }

  @Test
  void putKeyPolicy_replacesTheStoredDocument() {
    KeyMetadata m = f.symmetricKey();
    String document = policy(rootMayDoAll(), allow(BOB_ARN, "kms:DescribeKey"));

    f.engine.putKeyPolicy(ROOT, new PutKeyPolicyRequest(m.keyId(), "default", document, null));

    assertThat(storedPolicy(m.keyId()), equalTo(document));
    assertThat(describe(f.engine, BOB, m.keyId()).keyId(), equalTo(m.keyId()));
  }

  @Test
  void putKeyPolicy_policyNameOtherThanDefault_isValidation() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "The only valid key policy name is default.",
        () ->
            f.engine.putKeyPolicy(
                ROOT, new PutKeyPolicyRequest(m.keyId(), "custom", policy(rootMayDoAll()), null)));
  }

  @Test
  void getKeyPolicy_policyNameOtherThanDefault_isValidation() {
    KeyMetadata m = f.symmetricKey();

    assertKmsError(
        ValidationException.class,
        "The only valid key policy name is default.",
        () -> f.engine.getKeyPolicy(ROOT, new GetKeyPolicyRequest(m.keyId(), "custom")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{not json|The policy document is not valid JSON",
        "[]|The policy document must be a JSON object",
        "{\"Version\":\"2012-10-17\"}|The policy has no Statement",
        "{\"Statement\":[{\"Effect\":\"Perhaps\",\"Principal\":\"*\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\"}]}|Statement Effect must be Allow or Deny",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Actions\":\"kms:*\","
            + "\"Resource\":\"*\"}]}|Unknown field in Statement: Actions",
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"kms:*\","
            + "\"Resource\":\"*\",\"Condition\":{\"NumericEquals\":{\"kms:x\":\"1\"}}}]}"
            + "|Unsupported condition operator: NumericEquals",
        "{\"Version\":\"2001-01-01\",\"Statement\":[]}|Unsupported policy Version: \"2001-01-01\""
      })
  void putKeyPolicy_malformedDocument_isMalformedPolicyDocumentAndKeepsTheOldPolicy(
      String document, String message) {
    KeyMetadata m = f.symmetricKey();
    String before = storedPolicy(m.keyId());

    assertKmsError(
        MalformedPolicyDocumentException.class, message, () -> putPolicy(m.keyId(), document));
    assertThat(storedPolicy(m.keyId()), equalTo(before));
  }

  @Test
  void createKey_malformedPolicy_isMalformedPolicyDocumentAndCreatesNothing() {
    assertKmsError(
        MalformedPolicyDocumentException.class,
        "The policy document is not valid JSON",
        () -> keyWithPolicy("{\"Statement\":"));
    assertThat(keys(f.engine, ROOT), empty());
  }

  @Test
  void createKey_policyLockingOutTheCaller_isMalformedPolicyDocument() {
    assertKmsError(
        MalformedPolicyDocumentException.class,
        "The new key policy will not allow you to update the key policy in the future.",
        () -> keyWithPolicy(policy(allow(BOB_ARN, "kms:*"))));
    assertThat(keys(f.engine, ROOT), empty());
  }

  @Test
  void putKeyPolicy_policyLockingOutTheCaller_isMalformedPolicyDocument() {
    KeyMetadata m = f.symmetricKey();
    String before = storedPolicy(m.keyId());

    assertKmsError(
        MalformedPolicyDocumentException.class,
        "The new key policy will not allow you to update the key policy in the future.",
        () -> putPolicy(m.keyId(), policy(rootMayDoAll(), deny(ROOT_ARN, "kms:PutKeyPolicy"))));
    assertThat(storedPolicy(m.keyId()), equalTo(before));
  }

  @Test
  void putKeyPolicy_bypassLockoutCheck_storesThePolicyAndLocksTheCallerOut() {
    KeyMetadata m = f.symmetricKey();
    String bobOnly = policy(allow(BOB_ARN, "kms:*"));

    f.engine.putKeyPolicy(ROOT, new PutKeyPolicyRequest(m.keyId(), null, bobOnly, true));

    assertAccessDenied(
        ROOT_ARN, "kms:PutKeyPolicy", m, () -> putPolicy(m.keyId(), policy(rootMayDoAll())));
    assertThat(
        f.engine.getKeyPolicy(BOB, new GetKeyPolicyRequest(m.keyId(), null)).policy(),
        equalTo(bobOnly));
  }

  @Test
  void createKey_bypassLockoutCheck_createsAKeyOnlyTheNamedUserCanUse() {
    KeyMetadata m =
        Calls.create(
            f.engine,
            ROOT,
            CreateKeyRequest.builder()
                .policy(policy(allow(BOB_ARN, "kms:*")))
                .bypassPolicyLockoutSafetyCheck(true)
                .build());

    byte[] blob = encrypt(f.engine, BOB, m.keyId(), "bob's", null);

    assertThat(decrypt(f.engine, BOB, blob, null), equalTo("bob's"));
    assertAccessDenied(ROOT_ARN, "kms:Decrypt", m, () -> decrypt(f.engine, ROOT, blob, null));
  }
}
