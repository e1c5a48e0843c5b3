package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.AlreadyExistsException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.LimitExceededException;
import io.qkms.engine.api.errors.MalformedPolicyDocumentException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CancelKeyDeletionRequest;
import io.qkms.engine.api.model.CancelKeyDeletionResponse;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.CreateKeyResponse;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.DescribeKeyResponse;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRequest;
import io.qkms.engine.api.model.GetKeyPolicyRequest;
import io.qkms.engine.api.model.GetKeyPolicyResponse;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.api.model.ListKeysResponse;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.api.model.ReplicateKeyRequest;
import io.qkms.engine.api.model.ReplicateKeyResponse;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.api.model.ScheduleKeyDeletionResponse;
import io.qkms.engine.internal.auth.Decision;
import io.qkms.engine.internal.auth.GrantOperationNames;
import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.auth.PolicyException;
import io.qkms.engine.internal.auth.RequestContext;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.KeyMaterials;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Origin;
import io.qkms.engine.keys.Region;
import io.qkms.engine.keys.RotationType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Key lifecycle: create, describe, list, enable, disable, delete, replicate, key policies. */
public final class KeyManagement extends OperationGroup {
  static final List<String> KEY_USAGES =
      List.of("SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT");
  static final List<String> KEY_SPECS =
      List.of(
          "RSA_2048",
          "RSA_3072",
          "RSA_4096",
          "ECC_NIST_P256",
          "ECC_NIST_P384",
          "ECC_NIST_P521",
          "ECC_SECG_P256K1",
          "SYMMETRIC_DEFAULT",
          "HMAC_224",
          "HMAC_256",
          "HMAC_384",
          "HMAC_512",
          "SM2",
          "ML_DSA_44",
          "ML_DSA_65",
          "ML_DSA_87",
          "ECC_NIST_EDWARDS25519");
  static final List<String> ORIGINS =
      List.of("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE");
  static final String LOCKOUT_MESSAGE =
      "The new key policy will not allow you to update the key policy in the future.";

  KeyManagement(EngineContext ctx, KeyAccess keys) {
    super(ctx, keys);
  }

  public CreateKeyResponse createKey(Caller caller, CreateKeyRequest req) {
    if (!ctx.limits.keyCreators().allows(caller.principal())) {
      // AWS's wording when no IAM policy allows CreateKey.
      throw new AccessDeniedException(
          "User: "
              + caller.principal().arn()
              + " is not authorized to perform: kms:CreateKey because no identity-based policy"
              + " allows the kms:CreateKey action");
    }
    Validator.create()
        .length("policy", req.policy(), 1, KeyPolicy.MAX_SIZE_CHARS)
        .length("description", req.description(), 0, 8192)
        .oneOf("keyUsage", req.keyUsage(), KEY_USAGES)
        .oneOf("keySpec", req.keySpec(), KEY_SPECS)
        .oneOf("customerMasterKeySpec", req.customerMasterKeySpec(), KEY_SPECS)
        .oneOf("origin", req.origin(), ORIGINS)
        .error(
            req.keySpec() != null && req.customerMasterKeySpec() != null,
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.")
        .throwIfInvalid();
    checkNoTags(req.tags());
    String specName = req.keySpec() != null ? req.keySpec() : req.customerMasterKeySpec();
    KeySpec spec = specName == null ? KeySpec.SYMMETRIC_DEFAULT : KeySpec.fromName(specName);
    if (spec == null) {
      throw new UnsupportedOperationException("QKMS does not support KeySpec " + specName + ".");
    }
    KeyUsage usage =
        req.keyUsage() == null ? spec.defaultUsage() : KeyUsage.fromName(req.keyUsage());
    if (usage == null || !spec.supports(usage)) {
      throw new ValidationException(
          "KeyUsage " + req.keyUsage() + " is not compatible with KeySpec " + spec.name() + ".");
    }
    Origin origin = req.origin() == null ? Origin.AWS_KMS : Origin.fromName(req.origin());
    if (origin == null) {
      throw new UnsupportedOperationException(
          "QKMS does not support Origin " + req.origin() + " (it has no custom key stores).");
    }
    boolean multiRegion = Boolean.TRUE.equals(req.multiRegion());
    KeyId keyId = KeyId.random(multiRegion, ctx.random());
    String policy =
        checkedPolicy(caller, keyId, req.policy(), req.bypassPolicyLockoutSafetyCheck());
    Instant now = ctx.now();
    KeyRecord.Builder b =
        KeyRecord.builder()
            .keyId(keyId)
            .description(req.description())
            .keySpec(spec)
            .keyUsage(usage)
            .origin(origin)
            .state(origin == Origin.EXTERNAL ? KeyState.PENDING_IMPORT : KeyState.ENABLED)
            .creationDate(now)
            .policy(policy)
            .multiRegionRole(
                multiRegion ? KeyRecord.MultiRegionRole.PRIMARY : KeyRecord.MultiRegionRole.NONE)
            .primaryRegion(multiRegion ? caller.region() : null);
    if (origin == Origin.AWS_KMS) {
      // Generated outside the store's write lock: RSA-4096 takes seconds.
      b.addMaterial(newMaterial(keyId, spec, now));
    }
    KeyRecord record = b.build();
    StoreState committed =
        ctx.write(
            s -> {
              RegionState rs = ctx.region(s, caller);
              if (!s.regionsHolding(keyId).isEmpty()) {
                throw new IllegalStateException("Key ID collision"); // 2^-122: never in practice
              }
              checkKeyLimit(rs, caller.region());
              return s.withRegion(caller.region(), rs.withKey(record));
            });
    return new CreateKeyResponse(Metadata.of(ctx.account, committed, caller.region(), record));
  }

  /** AWS's quota on keys per account and region: every key counts, whatever its state. */
  private void checkKeyLimit(RegionState rs, Region region) {
    int limit = ctx.limits.keysPerRegion();
    if (rs.keys().size() >= limit) {
      throw new LimitExceededException(
          "The maximum number of keys (" + limit + ") in region " + region + " was reached.");
    }
  }

  MaterialRecord newMaterial(KeyId keyId, KeySpec spec, Instant now) {
    KeyMaterials.Generated g = KeyMaterials.generate(spec, ctx.random());
    MaterialId id = MaterialId.random(ctx.random());
    try {
      byte[] wrapped = ctx.guard(() -> ctx.store.materialProtector().wrap(keyId, id, g.secret()));
      return new MaterialRecord(id, now, RotationType.INITIAL, wrapped, g.publicKey());
    } finally {
      Bytes.zero(g.secret());
    }
  }

  /**
   * The policy to store: the default one when none is given, else the given one after checking its
   * grammar and that it lets the caller change it again (AWS's lockout safety check).
   */
  String checkedPolicy(Caller caller, KeyId keyId, String policy, Boolean bypassLockoutCheck) {
    if (policy == null) {
      return KeyPolicy.defaultPolicyJson(ctx.account);
    }
    KeyPolicy parsed;
    try {
      parsed = KeyPolicy.parse(policy);
    } catch (PolicyException e) {
      throw new MalformedPolicyDocumentException(e.getMessage());
    }
    if (!Boolean.TRUE.equals(bypassLockoutCheck)) {
      RequestContext rc =
          RequestContext.builder(caller.principal(), "kms:PutKeyPolicy", keys.arn(keyId)).build();
      if (parsed.evaluate(rc) != Decision.ALLOW) {
        throw new MalformedPolicyDocumentException(LOCKOUT_MESSAGE);
      }
    }
    return policy;
  }

  static void checkNoTags(List<?> tags) {
    if (tags != null && !tags.isEmpty()) {
      throw new UnsupportedOperationException("QKMS does not support key tags.");
    }
  }

  public DescribeKeyResponse describeKey(Caller caller, DescribeKeyRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .stringList("grantTokens", req.grantTokens(), 0, 10, 1, 8192)
        .throwIfInvalid();
    keys.checkGrantTokens(caller, req.grantTokens());
    StoreState s = ctx.read();
    KeyRecord r = keys.resolve(s, caller, req.keyId());
    keys.authorize(caller, r, "kms:DescribeKey", GrantOperationNames.DESCRIBE_KEY);
    return new DescribeKeyResponse(Metadata.of(ctx.account, s, caller.region(), r));
  }

  public ListKeysResponse listKeys(Caller caller, ListKeysRequest req) {
    Validator.create()
        .range("limit", req.limit(), 1, 1000)
        .length("marker", req.marker(), 1, 320)
        .throwIfInvalid();
    StoreState s = ctx.read();
    Instant now = ctx.now();
    List<KeyListEntry> all =
        ctx.region(s, caller).keys().stream()
            .filter(k -> !k.isDeletedAt(now))
            .map(k -> new KeyListEntry(k.keyId().value(), keys.arn(k.keyId())))
            .toList();
    Paging.Page<KeyListEntry> page = Paging.page(all, req.limit(), 100, req.marker());
    return new ListKeysResponse(page.items(), page.nextMarker(), page.truncated());
  }

  public void enableKey(Caller caller, EnableKeyRequest req) {
    requireKeyId(req.keyId());
    changeState(caller, req.keyId(), "kms:EnableKey", KeyState.ENABLED);
  }

  public void disableKey(Caller caller, DisableKeyRequest req) {
    requireKeyId(req.keyId());
    changeState(caller, req.keyId(), "kms:DisableKey", KeyState.DISABLED);
  }

  private void changeState(Caller caller, String keyId, String action, KeyState target) {
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, keyId, action);
          if (r.state() != KeyState.ENABLED && r.state() != KeyState.DISABLED) {
            throw KeyAccess.invalidState(r.state(), keys.arn(r.keyId()));
          }
          if (r.state() == target) {
            return s;
          }
          return s.withRegion(
              caller.region(),
              s.region(caller.region()).withKey(r.toBuilder().state(target).build()));
        });
  }

  public ScheduleKeyDeletionResponse scheduleKeyDeletion(
      Caller caller, ScheduleKeyDeletionRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .range("pendingWindowInDays", req.pendingWindowInDays(), 7, 30)
        .throwIfInvalid();
    int days = req.pendingWindowInDays() == null ? 30 : req.pendingWindowInDays();
    Instant deletionDate = ctx.now().plus(Duration.ofDays(days));
    KeyRecord[] out = new KeyRecord[1];
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, req.keyId(), "kms:ScheduleKeyDeletion");
          String arn = keys.arn(r.keyId());
          KeyAccess.requireNotPendingDeletion(r, arn);
          if (r.multiRegionRole() == KeyRecord.MultiRegionRole.PRIMARY
              && s.regionsHolding(r.keyId()).size() > 1) {
            throw new KMSInvalidStateException(
                arn + " is a multi-Region primary key with replicas; delete its replicas first.");
          }
          out[0] =
              r.toBuilder()
                  .state(KeyState.PENDING_DELETION)
                  .deletionDate(deletionDate)
                  .pendingDeletionWindowInDays(days)
                  .build();
          return s.withRegion(caller.region(), s.region(caller.region()).withKey(out[0]));
        });
    return new ScheduleKeyDeletionResponse(
        keys.arn(out[0].keyId()), deletionDate, KeyState.PENDING_DELETION.wireName(), days);
  }

  public CancelKeyDeletionResponse cancelKeyDeletion(Caller caller, CancelKeyDeletionRequest req) {
    requireKeyId(req.keyId());
    KeyRecord[] out = new KeyRecord[1];
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, req.keyId(), "kms:CancelKeyDeletion");
          String arn = keys.arn(r.keyId());
          if (r.state() != KeyState.PENDING_DELETION) {
            throw new KMSInvalidStateException(arn + " is not pending deletion.");
          }
          // As in AWS KMS, a key whose deletion is cancelled comes back disabled; one that never
          // got its imported material goes back to waiting for it.
          out[0] =
              r.toBuilder()
                  .state(r.materials().isEmpty() ? KeyState.PENDING_IMPORT : KeyState.DISABLED)
                  .deletionDate(null)
                  .pendingDeletionWindowInDays(null)
                  .build();
          return s.withRegion(caller.region(), s.region(caller.region()).withKey(out[0]));
        });
    return new CancelKeyDeletionResponse(keys.arn(out[0].keyId()));
  }

  public void putKeyPolicy(Caller caller, PutKeyPolicyRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .length("policyName", req.policyName(), 1, 128)
        .required("policy", req.policy(), 1, KeyPolicy.MAX_SIZE_CHARS)
        .throwIfInvalid();
    checkPolicyName(req.policyName());
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, req.keyId(), "kms:PutKeyPolicy");
          KeyAccess.requireNotPendingDeletion(r, keys.arn(r.keyId()));
          String policy =
              checkedPolicy(caller, r.keyId(), req.policy(), req.bypassPolicyLockoutSafetyCheck());
          return s.withRegion(
              caller.region(),
              s.region(caller.region()).withKey(r.toBuilder().policy(policy).build()));
        });
  }

  public GetKeyPolicyResponse getKeyPolicy(Caller caller, GetKeyPolicyRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .length("policyName", req.policyName(), 1, 128)
        .throwIfInvalid();
    checkPolicyName(req.policyName());
    KeyRecord r = keys.resolve(ctx.read(), caller, req.keyId());
    keys.authorize(caller, r, "kms:GetKeyPolicy", null);
    return new GetKeyPolicyResponse(r.policy(), "default");
  }

  private static void checkPolicyName(String name) {
    if (name != null && !name.equals("default")) {
      throw new ValidationException("The only valid key policy name is default.");
    }
  }

  public ReplicateKeyResponse replicateKey(Caller caller, ReplicateKeyRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .required("replicaRegion", req.replicaRegion(), 1, 32)
        .length("policy", req.policy(), 1, KeyPolicy.MAX_SIZE_CHARS)
        .length("description", req.description(), 0, 8192)
        .throwIfInvalid();
    checkNoTags(req.tags());
    if (!Region.isValid(req.replicaRegion())) {
      throw new ValidationException(
          "1 validation error detected: Value '"
              + req.replicaRegion()
              + "' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: ^([a-z]+-){2,3}\\d+$");
    }
    Region target = Region.of(req.replicaRegion());
    KeyRecord primary = keys.resolve(ctx.read(), caller, req.keyId());
    String arn = keys.arn(primary.keyId());
    String policy =
        checkedPolicy(caller, primary.keyId(), req.policy(), req.bypassPolicyLockoutSafetyCheck());
    KeyRecord[] out = new KeyRecord[1];
    StoreState committed =
        ctx.write(
            s -> {
              KeyRecord p = keys.resolveAuthorized(s, caller, req.keyId(), "kms:ReplicateKey");
              if (p.multiRegionRole() == KeyRecord.MultiRegionRole.NONE) {
                throw new UnsupportedOperationException(arn + " is not a multi-Region key.");
              }
              if (p.multiRegionRole() == KeyRecord.MultiRegionRole.REPLICA) {
                throw new UnsupportedOperationException(
                    arn + " is a replica key; replicate its primary key.");
              }
              KeyAccess.requireNotPendingDeletion(p, arn);
              RegionState rs = s.region(target);
              if (rs == null) {
                throw new ValidationException(
                    "The region " + target + " is not a region of this key store");
              }
              if (rs.key(p.keyId()) != null) {
                throw new AlreadyExistsException(
                    arn + " already has a replica in region " + target + ".");
              }
              checkKeyLimit(rs, target);
              out[0] =
                  p.toBuilder()
                      .multiRegionRole(KeyRecord.MultiRegionRole.REPLICA)
                      .primaryRegion(caller.region())
                      .description(req.description() != null ? req.description() : p.description())
                      .policy(policy)
                      .grants(List.of())
                      .state(p.state() == KeyState.PENDING_IMPORT ? p.state() : KeyState.ENABLED)
                      .creationDate(ctx.now())
                      .build();
              return s.withRegion(target, rs.withKey(out[0]));
            });
    return new ReplicateKeyResponse(
        Metadata.of(ctx.account, committed, target, out[0]), out[0].policy(), null);
  }

  static void requireKeyId(String keyId) {
    Validator.create().required("keyId", keyId, 1, 2048).throwIfInvalid();
  }
}
