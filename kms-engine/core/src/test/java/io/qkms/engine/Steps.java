package io.qkms.engine;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Setup steps through the public API, shared by the engine's behaviour tests. */
final class Steps {
  /** The encryption context the error tests encrypt under. */
  static final Map<String, String> CONTEXT = Map.of("Department", "Finance");

  static final Caller ROOT = EngineFixture.root();

  /** A user in the store's account that no key policy or grant names. */
  static final Caller ALICE = EngineFixture.user("alice");

  private Steps() {}

  /** The canary plaintext encrypted under {@code keyId} with {@link #CONTEXT}. */
  static byte[] canaryBlob(EngineFixture f, String keyId) {
    return f.encrypt(keyId, Canary.TEXT, CONTEXT);
  }

  /** A ReEncrypt of {@code blob} (made with {@link #CONTEXT}) to {@code destination}. */
  static ReEncryptRequest.Builder reEncrypt(byte[] blob, String destination) {
    return ReEncryptRequest.builder()
        .ciphertextBlob(blob)
        .sourceEncryptionContext(CONTEXT)
        .destinationKeyId(destination);
  }

  static String decryptToString(EngineFixture f, byte[] blob, Map<String, String> context) {
    return new String(f.decrypt(blob, context), StandardCharsets.UTF_8);
  }

  static KeyMetadata disable(EngineFixture f, KeyMetadata key) {
    f.engine.disableKey(ROOT, new DisableKeyRequest(key.keyId()));
    return key;
  }

  static KeyMetadata scheduleDeletion(EngineFixture f, KeyMetadata key, int days) {
    f.engine.scheduleKeyDeletion(ROOT, new ScheduleKeyDeletionRequest(key.keyId(), days));
    return key;
  }

  static void alias(EngineFixture f, String aliasName, KeyMetadata target) {
    f.engine.createAlias(ROOT, new CreateAliasRequest(aliasName, target.keyId()));
  }

  /** A symmetric key created with Origin EXTERNAL: it has no material and is pending import. */
  static KeyMetadata pendingImportKey(EngineFixture f) {
    return f.engine
        .createKey(ROOT, CreateKeyRequest.builder().origin("EXTERNAL").build())
        .keyMetadata();
  }

  static KeyMetadata describe(EngineFixture f, String keyId) {
    return f.engine.describeKey(ROOT, new DescribeKeyRequest(keyId, null)).keyMetadata();
  }

  static CreateGrantResponse grant(
      EngineFixture f, KeyMetadata key, Caller grantee, String... operations) {
    return f.engine.createGrant(
        ROOT,
        CreateGrantRequest.builder()
            .keyId(key.keyId())
            .granteePrincipal(grantee.principal().arn())
            .operations(List.of(operations))
            .build());
  }
}
