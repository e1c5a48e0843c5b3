package io.qkms.engine.api;

import io.qkms.engine.api.model.*;

/**
 * The QKMS operations, with AWS KMS's request and response shapes. Every method runs as {@code
 * caller} and throws a {@link io.qkms.engine.api.errors.KmsException} subclass named after the API
 * error code. Implementations are thread-safe.
 */
public interface Kms {
  CreateKeyResponse createKey(Caller caller, CreateKeyRequest request);

  DescribeKeyResponse describeKey(Caller caller, DescribeKeyRequest request);

  ListKeysResponse listKeys(Caller caller, ListKeysRequest request);

  void enableKey(Caller caller, EnableKeyRequest request);

  void disableKey(Caller caller, DisableKeyRequest request);

  ScheduleKeyDeletionResponse scheduleKeyDeletion(
      Caller caller, ScheduleKeyDeletionRequest request);

  CancelKeyDeletionResponse cancelKeyDeletion(Caller caller, CancelKeyDeletionRequest request);

  void createAlias(Caller caller, CreateAliasRequest request);

  void updateAlias(Caller caller, UpdateAliasRequest request);

  void deleteAlias(Caller caller, DeleteAliasRequest request);

  ListAliasesResponse listAliases(Caller caller, ListAliasesRequest request);

  EncryptResponse encrypt(Caller caller, EncryptRequest request);

  DecryptResponse decrypt(Caller caller, DecryptRequest request);

  ReEncryptResponse reEncrypt(Caller caller, ReEncryptRequest request);

  GenerateDataKeyResponse generateDataKey(Caller caller, GenerateDataKeyRequest request);

  GenerateDataKeyWithoutPlaintextResponse generateDataKeyWithoutPlaintext(
      Caller caller, GenerateDataKeyWithoutPlaintextRequest request);

  RotateKeyOnDemandResponse rotateKeyOnDemand(Caller caller, RotateKeyOnDemandRequest request);

  void enableKeyRotation(Caller caller, EnableKeyRotationRequest request);

  void disableKeyRotation(Caller caller, DisableKeyRotationRequest request);

  GetKeyRotationStatusResponse getKeyRotationStatus(
      Caller caller, GetKeyRotationStatusRequest request);

  ListKeyRotationsResponse listKeyRotations(Caller caller, ListKeyRotationsRequest request);

  CreateGrantResponse createGrant(Caller caller, CreateGrantRequest request);

  ListGrantsResponse listGrants(Caller caller, ListGrantsRequest request);

  void retireGrant(Caller caller, RetireGrantRequest request);

  void revokeGrant(Caller caller, RevokeGrantRequest request);

  void putKeyPolicy(Caller caller, PutKeyPolicyRequest request);

  GetKeyPolicyResponse getKeyPolicy(Caller caller, GetKeyPolicyRequest request);

  ReplicateKeyResponse replicateKey(Caller caller, ReplicateKeyRequest request);

  /**
   * QKMS's own QkmsService.BatchReEncrypt: each item is a {@link #reEncrypt} of its own (validated,
   * authorized and answered alone); a failed item is an error result, never the whole call's
   * failure. Only a malformed batch (no items, more than {@value BatchReEncryptRequest#MAX_ITEMS})
   * fails the call.
   */
  BatchReEncryptResponse batchReEncrypt(Caller caller, BatchReEncryptRequest request);
}
