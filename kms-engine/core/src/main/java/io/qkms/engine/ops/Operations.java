package io.qkms.engine.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Kms;
import io.qkms.engine.api.model.*;
import io.qkms.engine.cache.KeyCache;
import io.qkms.engine.store.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The operations over one store and cache. Internal: applications open a {@link
 * io.qkms.engine.KmsEngine}, which wraps this.
 */
public final class Operations implements Kms {
  private final EngineContext ctx;
  private final KeyOperations keyOps;
  private final AliasOperations aliasOps;
  private final CryptoOperations cryptoOps;
  private final RotationOperations rotationOps;
  private final GrantAdministration grantOps;

  private Operations(EngineContext ctx) {
    this.ctx = ctx;
    KeyAccess keys = new KeyAccess(ctx);
    keyOps = new KeyOperations(ctx, keys);
    aliasOps = new AliasOperations(ctx, keys);
    cryptoOps = new CryptoOperations(ctx, keys);
    rotationOps = new RotationOperations(ctx, keys);
    grantOps = new GrantAdministration(ctx, keys);
  }

  /** Internal factory used by {@code KmsEngine}. */
  public static Operations create(
      KeyStore store, KeyCache cache, Clock clock, Duration storeTimeout) {
    return new Operations(new EngineContext(store, cache, clock, storeTimeout));
  }

  /** Applies due automatic rotations and expired deletions now, if the store is writable. */
  public void runMaintenance() {
    if (!ctx.store.isReadOnly()) {
      ctx.write(UnaryOperator.identity());
    }
  }

  private Caller checked(Caller caller) {
    ctx.checkRegion(caller.region());
    return caller;
  }

  /**
   * The material {@code keyId} encrypts with now, from the cache (needs kms:DescribeKey). Not part
   * of the wire API: the re-key job uses it to skip ciphertexts that are already current.
   */
  public io.qkms.engine.api.KeyMaterialRef currentKeyMaterial(Caller caller, String keyId) {
    return cryptoOps.currentKeyMaterial(checked(caller), keyId);
  }

  /** What a QKMS ciphertext's header names, or null if it is not a QKMS symmetric ciphertext. */
  public io.qkms.engine.api.KeyMaterialRef ciphertextKeyMaterial(byte[] ciphertextBlob) {
    return cryptoOps.ciphertextKeyMaterial(ciphertextBlob);
  }

  @Override
  public CreateKeyResponse createKey(Caller caller, CreateKeyRequest request) {
    return keyOps.createKey(checked(caller), request);
  }

  @Override
  public DescribeKeyResponse describeKey(Caller caller, DescribeKeyRequest request) {
    return keyOps.describeKey(checked(caller), request);
  }

  @Override
  public ListKeysResponse listKeys(Caller caller, ListKeysRequest request) {
    return keyOps.listKeys(checked(caller), request);
  }

  @Override
  public void enableKey(Caller caller, EnableKeyRequest request) {
    keyOps.enableKey(checked(caller), request);
  }

  @Override
  public void disableKey(Caller caller, DisableKeyRequest request) {
    keyOps.disableKey(checked(caller), request);
  }

  @Override
  public ScheduleKeyDeletionResponse scheduleKeyDeletion(
      Caller caller, ScheduleKeyDeletionRequest request) {
    return keyOps.scheduleKeyDeletion(checked(caller), request);
  }

  @Override
  public CancelKeyDeletionResponse cancelKeyDeletion(
      Caller caller, CancelKeyDeletionRequest request) {
    return keyOps.cancelKeyDeletion(checked(caller), request);
  }

  @Override
  public void createAlias(Caller caller, CreateAliasRequest request) {
    aliasOps.createAlias(checked(caller), request);
  }

  @Override
  public void updateAlias(Caller caller, UpdateAliasRequest request) {
    aliasOps.updateAlias(checked(caller), request);
  }

  @Override
  public void deleteAlias(Caller caller, DeleteAliasRequest request) {
    aliasOps.deleteAlias(checked(caller), request);
  }

  @Override
  public ListAliasesResponse listAliases(Caller caller, ListAliasesRequest request) {
    return aliasOps.listAliases(checked(caller), request);
  }

  @Override
  public EncryptResponse encrypt(Caller caller, EncryptRequest request) {
    return cryptoOps.encrypt(checked(caller), request);
  }

  @Override
  public DecryptResponse decrypt(Caller caller, DecryptRequest request) {
    return cryptoOps.decrypt(checked(caller), request);
  }

  @Override
  public ReEncryptResponse reEncrypt(Caller caller, ReEncryptRequest request) {
    return cryptoOps.reEncrypt(checked(caller), request);
  }

  @Override
  public GenerateDataKeyResponse generateDataKey(Caller caller, GenerateDataKeyRequest request) {
    return cryptoOps.generateDataKey(checked(caller), request);
  }

  @Override
  public GenerateDataKeyWithoutPlaintextResponse generateDataKeyWithoutPlaintext(
      Caller caller, GenerateDataKeyWithoutPlaintextRequest request) {
    return cryptoOps.generateDataKeyWithoutPlaintext(checked(caller), request);
  }

  @Override
  public RotateKeyOnDemandResponse rotateKeyOnDemand(
      Caller caller, RotateKeyOnDemandRequest request) {
    return rotationOps.rotateKeyOnDemand(checked(caller), request);
  }

  @Override
  public void enableKeyRotation(Caller caller, EnableKeyRotationRequest request) {
    rotationOps.enableKeyRotation(checked(caller), request);
  }

  @Override
  public void disableKeyRotation(Caller caller, DisableKeyRotationRequest request) {
    rotationOps.disableKeyRotation(checked(caller), request);
  }

  @Override
  public GetKeyRotationStatusResponse getKeyRotationStatus(
      Caller caller, GetKeyRotationStatusRequest request) {
    return rotationOps.getKeyRotationStatus(checked(caller), request);
  }

  @Override
  public ListKeyRotationsResponse listKeyRotations(Caller caller, ListKeyRotationsRequest request) {
    return rotationOps.listKeyRotations(checked(caller), request);
  }

  @Override
  public CreateGrantResponse createGrant(Caller caller, CreateGrantRequest request) {
    return grantOps.createGrant(checked(caller), request);
  }

  @Override
  public ListGrantsResponse listGrants(Caller caller, ListGrantsRequest request) {
    return grantOps.listGrants(checked(caller), request);
  }

  @Override
  public void retireGrant(Caller caller, RetireGrantRequest request) {
    grantOps.retireGrant(checked(caller), request);
  }

  @Override
  public void revokeGrant(Caller caller, RevokeGrantRequest request) {
    grantOps.revokeGrant(checked(caller), request);
  }

  @Override
  public void putKeyPolicy(Caller caller, PutKeyPolicyRequest request) {
    keyOps.putKeyPolicy(checked(caller), request);
  }

  @Override
  public GetKeyPolicyResponse getKeyPolicy(Caller caller, GetKeyPolicyRequest request) {
    return keyOps.getKeyPolicy(checked(caller), request);
  }

  @Override
  public ReplicateKeyResponse replicateKey(Caller caller, ReplicateKeyRequest request) {
    return keyOps.replicateKey(checked(caller), request);
  }
}
