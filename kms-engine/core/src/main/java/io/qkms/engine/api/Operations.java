package io.qkms.engine.api;

import static io.qkms.engine.api.Operation.noOutput;
import static io.qkms.engine.api.Operation.reading;
import static io.qkms.engine.api.Operation.writing;

import io.qkms.engine.api.model.*;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of the API's operations, in the order of the API reference (then QKMS's own,
 * BatchReEncrypt): the one list from which the wire {@code Dispatcher}, the HTTP endpoint (which
 * operations may run on its network threads) and the {@code qkms} command line (one command per
 * operation) are built.
 *
 * <p>Adding an operation: its request and response records in {@code api.model}, its method in
 * {@link Kms} with its implementation, and one entry here.
 */
public final class Operations {
  private static final List<Operation<?, ?>> ALL =
      List.of(
          writing("CreateKey", CreateKeyRequest.class, Kms::createKey),
          reading("DescribeKey", DescribeKeyRequest.class, Kms::describeKey)
              .grantedBy("DescribeKey"),
          reading("ListKeys", ListKeysRequest.class, Kms::listKeys),
          writing("EnableKey", EnableKeyRequest.class, noOutput(Kms::enableKey)),
          writing("DisableKey", DisableKeyRequest.class, noOutput(Kms::disableKey)),
          writing(
              "ScheduleKeyDeletion", ScheduleKeyDeletionRequest.class, Kms::scheduleKeyDeletion),
          writing("CancelKeyDeletion", CancelKeyDeletionRequest.class, Kms::cancelKeyDeletion),
          writing("CreateAlias", CreateAliasRequest.class, noOutput(Kms::createAlias)),
          writing("UpdateAlias", UpdateAliasRequest.class, noOutput(Kms::updateAlias)),
          writing("DeleteAlias", DeleteAliasRequest.class, noOutput(Kms::deleteAlias)),
          reading("ListAliases", ListAliasesRequest.class, Kms::listAliases),
          reading("Encrypt", EncryptRequest.class, Kms::encrypt).grantedBy("Encrypt"),
          reading("Decrypt", DecryptRequest.class, Kms::decrypt).grantedBy("Decrypt"),
          reading("ReEncrypt", ReEncryptRequest.class, Kms::reEncrypt)
              .grantedBy("ReEncryptFrom", "ReEncryptTo"),
          reading("GenerateDataKey", GenerateDataKeyRequest.class, Kms::generateDataKey)
              .grantedBy("GenerateDataKey"),
          reading(
                  "GenerateDataKeyWithoutPlaintext",
                  GenerateDataKeyWithoutPlaintextRequest.class,
                  Kms::generateDataKeyWithoutPlaintext)
              .grantedBy("GenerateDataKeyWithoutPlaintext"),
          writing("RotateKeyOnDemand", RotateKeyOnDemandRequest.class, Kms::rotateKeyOnDemand),
          writing(
              "EnableKeyRotation",
              EnableKeyRotationRequest.class,
              noOutput(Kms::enableKeyRotation)),
          writing(
              "DisableKeyRotation",
              DisableKeyRotationRequest.class,
              noOutput(Kms::disableKeyRotation)),
          reading(
              "GetKeyRotationStatus", GetKeyRotationStatusRequest.class, Kms::getKeyRotationStatus),
          reading("ListKeyRotations", ListKeyRotationsRequest.class, Kms::listKeyRotations),
          writing("CreateGrant", CreateGrantRequest.class, Kms::createGrant)
              .grantedBy("CreateGrant"),
          reading("ListGrants", ListGrantsRequest.class, Kms::listGrants),
          writing("RetireGrant", RetireGrantRequest.class, noOutput(Kms::retireGrant))
              .grantedBy("RetireGrant"),
          writing("RevokeGrant", RevokeGrantRequest.class, noOutput(Kms::revokeGrant)),
          writing("PutKeyPolicy", PutKeyPolicyRequest.class, noOutput(Kms::putKeyPolicy)),
          reading("GetKeyPolicy", GetKeyPolicyRequest.class, Kms::getKeyPolicy),
          writing("ReplicateKey", ReplicateKeyRequest.class, Kms::replicateKey),
          reading("BatchReEncrypt", BatchReEncryptRequest.class, Kms::batchReEncrypt)
              .grantedBy("ReEncryptFrom", "ReEncryptTo")
              .batch()
              .qkmsOnly());

  private static final Map<String, Operation<?, ?>> BY_NAME = byName();
  private static final Map<String, Operation<?, ?>> BY_TARGET = byTarget();

  private Operations() {}

  private static Map<String, Operation<?, ?>> byName() {
    Map<String, Operation<?, ?>> m = new LinkedHashMap<>();
    for (Operation<?, ?> op : ALL) {
      if (m.put(op.name(), op) != null) {
        throw new IllegalStateException("Two operations named " + op.name());
      }
    }
    return Map.copyOf(m);
  }

  private static Map<String, Operation<?, ?>> byTarget() {
    Map<String, Operation<?, ?>> m = new LinkedHashMap<>();
    for (Operation<?, ?> op : ALL) {
      m.put(op.target(), op);
    }
    return Map.copyOf(m);
  }

  /** Every operation, in the order of the API reference. */
  public static List<Operation<?, ?>> all() {
    return ALL;
  }

  /** The operation with this name, e.g. {@code ReEncrypt}; null if there is none. */
  public static Operation<?, ?> named(String name) {
    return name == null ? null : BY_NAME.get(name);
  }

  /** The operation an {@code X-Amz-Target} names, e.g. {@code TrentService.ReEncrypt}; or null. */
  public static Operation<?, ?> forTarget(String target) {
    return target == null ? null : BY_TARGET.get(target);
  }
}
