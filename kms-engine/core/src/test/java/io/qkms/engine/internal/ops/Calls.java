package io.qkms.engine.internal.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.ReplicateKeyRequest;
import io.qkms.engine.api.model.ReplicateKeyResponse;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.api.model.ScheduleKeyDeletionResponse;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Short forms of the engine calls the lifecycle tests make over and over. */
final class Calls {
  static final String ACCOUNT = "111122223333";
  static final String KEY_ARN_PREFIX = "arn:verenc:111122223333:key/";
  static final String ROOT_ARN = "arn:verenc:111122223333:root";
  static final String BOB_ARN = "arn:verenc:111122223333:user/bob";
  static final String CAROL_ARN = "arn:verenc:111122223333:user/carol";
  static final String HEX64 = "^[0-9a-f]{64}$";

  static final Caller ROOT = EngineFixture.root();
  static final Caller ROOT_EU = EngineFixture.root(EngineFixture.EU_WEST_1);
  static final Caller BOB = EngineFixture.user("bob");
  static final Caller CAROL = EngineFixture.user("carol");
  static final Caller DAVE = EngineFixture.user("dave");

  private static final Duration STORE_TIMEOUT = Duration.ofMillis(500);

  private Calls() {}

  /** Asserts the exact error class and message, and returns the error. */
  static <T extends KmsException> T assertKmsError(Class<T> type, String message, Executable call) {
    T e = assertThrows(type, call);
    assertThat(e.getMessage(), equalTo(message));
    return e;
  }

  /**
   * Another engine over the same store and clock: what a second process sharing the key store looks
   * like to this one (its own cache, the same data).
   */
  static KmsEngine secondEngine(EngineFixture f) {
    return EngineFixture.engine(f.store, f.clock, STORE_TIMEOUT);
  }

  /** A second engine over the same store and clock with its own cache configuration. */
  static KmsEngine secondEngine(EngineFixture f, KeyCacheConfig cacheConfig) {
    return EngineFixture.engine(f.store, f.clock, STORE_TIMEOUT, cacheConfig);
  }

  static KeyMetadata create(KmsEngine e, Caller c, CreateKeyRequest request) {
    return e.createKey(c, request).keyMetadata();
  }

  static KeyMetadata multiRegionKey(EngineFixture f) {
    return create(f.engine, ROOT, CreateKeyRequest.builder().multiRegion(true).build());
  }

  /** A key created for imported material: PendingImport, without material. */
  static KeyMetadata externalKey(EngineFixture f) {
    return create(f.engine, ROOT, CreateKeyRequest.builder().origin("EXTERNAL").build());
  }

  static List<KeyListEntry> keys(KmsEngine e, Caller c) {
    return e.listKeys(c, new ListKeysRequest(null, null)).keys();
  }

  static ReplicateKeyResponse replicate(KmsEngine e, Caller c, String keyId, String region) {
    return e.replicateKey(c, new ReplicateKeyRequest(keyId, region, null, null, null, null));
  }

  static ScheduleKeyDeletionResponse scheduleDeletion(
      KmsEngine e, Caller c, String keyId, Integer pendingWindowInDays) {
    return e.scheduleKeyDeletion(c, new ScheduleKeyDeletionRequest(keyId, pendingWindowInDays));
  }

  static KeyMetadata describe(KmsEngine e, Caller c, String keyId) {
    return e.describeKey(c, new DescribeKeyRequest(keyId, null)).keyMetadata();
  }

  static byte[] encrypt(
      KmsEngine e, Caller c, String keyId, String plaintext, Map<String, String> context) {
    return e.encrypt(
            c,
            EncryptRequest.builder()
                .keyId(keyId)
                .plaintext(utf8(plaintext))
                .encryptionContext(context)
                .build())
        .ciphertextBlob();
  }

  static String decrypt(KmsEngine e, Caller c, byte[] blob, Map<String, String> context) {
    return text(
        e.decrypt(
                c, DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(context).build())
            .plaintext());
  }

  /** The material a blob was made with, as Decrypt reports it. */
  static String materialOf(KmsEngine e, Caller c, byte[] blob, Map<String, String> context) {
    return e.decrypt(
            c, DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(context).build())
        .keyMaterialId();
  }

  static ReEncryptResponse reEncrypt(
      KmsEngine e,
      Caller c,
      byte[] blob,
      String sourceKeyId,
      Map<String, String> sourceContext,
      String destinationKeyId,
      Map<String, String> destinationContext) {
    return e.reEncrypt(
        c,
        ReEncryptRequest.builder()
            .ciphertextBlob(blob)
            .sourceKeyId(sourceKeyId)
            .sourceEncryptionContext(sourceContext)
            .destinationKeyId(destinationKeyId)
            .destinationEncryptionContext(destinationContext)
            .build());
  }

  /** A ReEncrypt without encryption contexts, with grant tokens. */
  static ReEncryptResponse reEncryptWithGrantTokens(
      KmsEngine e,
      Caller c,
      byte[] blob,
      String sourceKeyId,
      String destinationKeyId,
      List<String> grantTokens) {
    return e.reEncrypt(
        c,
        ReEncryptRequest.builder()
            .ciphertextBlob(blob)
            .sourceKeyId(sourceKeyId)
            .destinationKeyId(destinationKeyId)
            .grantTokens(grantTokens)
            .build());
  }

  static CreateGrantResponse grant(
      KmsEngine e, String keyId, String grantee, String... operations) {
    return e.createGrant(ROOT, grantRequest(keyId, grantee, operations).build());
  }

  /** A CreateGrant request for these operations, to which a test adds what it needs. */
  static CreateGrantRequest.Builder grantRequest(
      String keyId, String grantee, String... operations) {
    return CreateGrantRequest.builder()
        .keyId(keyId)
        .granteePrincipal(grantee)
        .operations(List.of(operations));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** An encryption context from alternating keys and values. */
  static Map<String, String> ctx(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  // ---- Key policies --------------------------------------------------------------------------

  /** A policy document with these statements. */
  static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  /** The statement that keeps the key manageable: the account root may do everything. */
  static String rootMayDoAll() {
    return allow(ROOT_ARN, "kms:*");
  }

  static String allow(String principal, String... actions) {
    return statement("Allow", principal, null, actions);
  }

  static String deny(String principal, String... actions) {
    return statement("Deny", principal, null, actions);
  }

  static String allowIf(String principal, String conditionJson, String... actions) {
    return statement("Allow", principal, conditionJson, actions);
  }

  private static String statement(
      String effect, String principal, String conditionJson, String... actions) {
    List<String> quoted = new ArrayList<>();
    for (String a : actions) {
      quoted.add("\"" + a + "\"");
    }
    return "{\"Effect\":\""
        + effect
        + "\",\"Principal\":{\"AWS\":\""
        + principal
        + "\"},\"Action\":["
        + String.join(",", quoted)
        + "],\"Resource\":\"*\""
        + (conditionJson == null ? "" : ",\"Condition\":" + conditionJson)
        + "}";
  }

  /** The call is refused because no policy or grant lets the principal do the action on the key. */
  static AccessDeniedException assertAccessDenied(
      String principalArn, String action, KeyMetadata key, Executable call) {
    return assertKmsError(
        AccessDeniedException.class, accessDenied(principalArn, action, key.arn()), call);
  }

  /** Bob, who has no grant and no policy statement for it, may not encrypt under the key. */
  static void assertBobMayNotEncrypt(KmsEngine e, KeyMetadata key) {
    assertAccessDenied(BOB_ARN, "kms:Encrypt", key, () -> encrypt(e, BOB, key.keyId(), "x", null));
  }

  static void assertDisabled(KeyMetadata key, Executable call) {
    assertKmsError(DisabledException.class, key.arn() + " is disabled.", call);
  }

  static void assertPendingDeletion(KeyMetadata key, Executable call) {
    assertKmsError(KMSInvalidStateException.class, key.arn() + " is pending deletion.", call);
  }

  /** The key is unknown in the caller's region (deleted, or never there). */
  static void assertKeyDoesNotExist(KeyMetadata key, Executable call) {
    assertKmsError(NotFoundException.class, "Key '" + key.arn() + "' does not exist", call);
  }

  /** The alias is unknown in the caller's region; the error names its ARN. */
  static void assertAliasNotFound(String aliasName, Executable call) {
    assertKmsError(
        NotFoundException.class,
        "Alias arn:verenc:" + ACCOUNT + ":" + aliasName + " is not found.",
        call);
  }

  static String accessDenied(String principalArn, String action, String keyArn) {
    return notAuthorized(principalArn, action, keyArn)
        + " because no resource-based policy allows the "
        + action
        + " action";
  }

  static String explicitDeny(String principalArn, String action, String keyArn) {
    return notAuthorized(principalArn, action, keyArn)
        + " with an explicit deny in a resource-based policy";
  }

  private static String notAuthorized(String principalArn, String action, String keyArn) {
    return "User: "
        + principalArn
        + " is not authorized to perform: "
        + action
        + " on resource: "
        + keyArn;
  }
}
