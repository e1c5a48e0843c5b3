package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.LimitExceededException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.model.DisableKeyRotationRequest;
import io.qkms.engine.api.model.EnableKeyRotationRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusResponse;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.ListKeyRotationsResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.api.model.RotateKeyOnDemandResponse;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.Origin;
import io.qkms.engine.keys.Region;
import io.qkms.engine.keys.RotationType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Key rotation: on demand (at most {@value #ON_DEMAND_LIMIT} times per key, as in AWS) and
 * automatic every RotationPeriodInDays, driven by the engine's clock. Every material stays usable
 * for decryption until the key is deleted. Multi-region keys rotate on their primary, and the new
 * material reaches every replica at once.
 */
public final class RotationManagement extends OperationGroup {
  static final int ON_DEMAND_LIMIT = 10;

  RotationManagement(EngineContext ctx, KeyAccess keys) {
    super(ctx, keys);
  }

  public RotateKeyOnDemandResponse rotateKeyOnDemand(Caller caller, RotateKeyOnDemandRequest req) {
    KeyManagement.requireKeyId(req.keyId());
    KeyRecord[] rotated = new KeyRecord[1];
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, req.keyId(), "kms:RotateKeyOnDemand");
          String arn = keys.arn(r.keyId());
          requireRotatable(r, arn);
          KeyAccess.requireEnabled(r, arn);
          if (r.onDemandRotationCount() >= ON_DEMAND_LIMIT) {
            throw new LimitExceededException(
                "The on-demand rotations limit has been reached for the given keyId. No more"
                    + " on-demand rotations can be performed for this key: "
                    + arn);
          }
          rotated[0] = r;
          return Maintenance.addMaterial(
              s,
              r.keyId(),
              RotationType.ON_DEMAND,
              ctx.now(),
              ctx.store.materialProtector(),
              ctx.random());
        });
    return new RotateKeyOnDemandResponse(keys.arn(rotated[0].keyId()));
  }

  public void enableKeyRotation(Caller caller, EnableKeyRotationRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .range("rotationPeriodInDays", req.rotationPeriodInDays(), 90, 2560)
        .throwIfInvalid();
    int days = req.rotationPeriodInDays() == null ? 365 : req.rotationPeriodInDays();
    setRotation(caller, req.keyId(), "kms:EnableKeyRotation", true, days);
  }

  public void disableKeyRotation(Caller caller, DisableKeyRotationRequest req) {
    KeyManagement.requireKeyId(req.keyId());
    setRotation(caller, req.keyId(), "kms:DisableKeyRotation", false, null);
  }

  private void setRotation(
      Caller caller, String keyId, String action, boolean enabled, Integer days) {
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, keyId, action);
          String arn = keys.arn(r.keyId());
          requireRotatable(r, arn);
          KeyAccess.requireEnabled(r, arn);
          StoreState out = s;
          // The rotation schedule is a shared property of a multi-region key family.
          for (Region region : s.regionsHolding(r.keyId())) {
            KeyRecord k = out.region(region).key(r.keyId());
            KeyRecord updated =
                k.toBuilder()
                    .rotationEnabled(enabled)
                    .rotationPeriodInDays(days)
                    .nextRotationDate(enabled ? ctx.now().plus(Duration.ofDays(days)) : null)
                    .build();
            out = out.withRegion(region, out.region(region).withKey(updated));
          }
          return out;
        });
  }

  public GetKeyRotationStatusResponse getKeyRotationStatus(
      Caller caller, GetKeyRotationStatusRequest req) {
    KeyManagement.requireKeyId(req.keyId());
    KeyRecord r = keys.resolve(ctx.read(), caller, req.keyId());
    keys.authorize(caller, r, "kms:GetKeyRotationStatus", null);
    KeyAccess.requireNotPendingDeletion(r, keys.arn(r.keyId()));
    return new GetKeyRotationStatusResponse(
        r.rotationEnabled(),
        keys.arn(r.keyId()),
        r.rotationEnabled() ? r.rotationPeriodInDays() : null,
        r.rotationEnabled() ? r.nextRotationDate() : null,
        null);
  }

  public ListKeyRotationsResponse listKeyRotations(Caller caller, ListKeyRotationsRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .oneOf(
            "includeKeyMaterial",
            req.includeKeyMaterial(),
            List.of("ALL_KEY_MATERIAL", "ROTATIONS_ONLY"))
        .range("limit", req.limit(), 1, 1000)
        .length("marker", req.marker(), 1, 320)
        .throwIfInvalid();
    KeyRecord r = keys.resolve(ctx.read(), caller, req.keyId());
    String arn = keys.arn(r.keyId());
    keys.authorize(caller, r, "kms:ListKeyRotations", null);
    if (!r.keySpec().isSymmetricEncryption()) {
      throw new UnsupportedOperationException(
          arn + " key spec " + r.keySpec() + " does not support key rotation.");
    }
    boolean all = "ALL_KEY_MATERIAL".equals(req.includeKeyMaterial());
    List<RotationsListEntry> entries = new ArrayList<>();
    MaterialRecord current = r.currentMaterial();
    for (MaterialRecord m : r.materials()) {
      if (m.rotationType() == RotationType.INITIAL && !all) {
        continue;
      }
      entries.add(
          new RotationsListEntry(
              arn,
              m.id().hex(),
              m == current ? "CURRENT" : "NON_CURRENT",
              m.createdAt(),
              m.rotationType() == RotationType.INITIAL ? null : m.rotationType().name()));
    }
    Paging.Page<RotationsListEntry> page = Paging.page(entries, req.limit(), 100, req.marker());
    return new ListKeyRotationsResponse(page.items(), page.nextMarker(), page.truncated());
  }

  private static void requireRotatable(KeyRecord r, String arn) {
    if (!r.keySpec().isSymmetricEncryption()) {
      throw new UnsupportedOperationException(
          arn + " key spec " + r.keySpec() + " does not support key rotation.");
    }
    if (r.origin() == Origin.EXTERNAL) {
      throw new UnsupportedOperationException(
          arn + " has imported key material, which QKMS cannot rotate.");
    }
    if (r.multiRegionRole() == KeyRecord.MultiRegionRole.REPLICA) {
      throw new UnsupportedOperationException(
          arn
              + " is a multi-Region replica key; rotate its primary key in "
              + r.primaryRegion()
              + ".");
    }
  }
}
