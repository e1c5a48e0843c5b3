package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.AlreadyExistsException;
import io.qkms.engine.api.errors.InvalidAliasNameException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.AliasListEntry;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.DeleteAliasRequest;
import io.qkms.engine.api.model.ListAliasesRequest;
import io.qkms.engine.api.model.ListAliasesResponse;
import io.qkms.engine.api.model.UpdateAliasRequest;
import io.qkms.engine.internal.store.AliasRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyId;
import java.time.Instant;
import java.util.List;

/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases. Aliases belong to one region. */
public final class AliasManagement extends OperationGroup {
  private static final String ALIAS_PATTERN = "^alias/[a-zA-Z0-9/_-]+$";

  AliasManagement(EngineContext ctx, KeyAccess keys) {
    super(ctx, keys);
  }

  public void createAlias(Caller caller, CreateAliasRequest req) {
    AliasName name = aliasName(req.aliasName(), req.targetKeyId());
    if (name.isReserved()) {
      throw new InvalidAliasNameException("Alias names that begin with alias/aws/ are reserved.");
    }
    ctx.write(
        s -> {
          RegionState rs = ctx.region(s, caller);
          KeyRecord target =
              keys.resolveAuthorized(s, caller, req.targetKeyId(), "kms:CreateAlias");
          KeyAccess.requireNotPendingDeletion(target, keys.arn(target.keyId()));
          if (rs.alias(name) != null) {
            throw new AlreadyExistsException(
                "An alias with the name " + Arns.aliasArn(ctx.account, name) + " already exists");
          }
          Instant now = ctx.now();
          return s.withRegion(
              caller.region(), rs.withAlias(new AliasRecord(name, target.keyId(), now, now)));
        });
  }

  public void updateAlias(Caller caller, UpdateAliasRequest req) {
    AliasName name = aliasName(req.aliasName(), req.targetKeyId());
    ctx.write(
        s -> {
          RegionState rs = ctx.region(s, caller);
          AliasRecord alias = existing(rs, name);
          KeyRecord current = rs.key(alias.targetKeyId());
          KeyRecord target = keys.resolve(s, caller, req.targetKeyId());
          if (current != null) {
            keys.authorize(caller, current, "kms:UpdateAlias", null);
          }
          keys.authorize(caller, target, "kms:UpdateAlias", null);
          KeyAccess.requireNotPendingDeletion(target, keys.arn(target.keyId()));
          if (current != null
              && (current.keySpec() != target.keySpec()
                  || current.keyUsage() != target.keyUsage())) {
            throw new ValidationException(
                "An alias can point only to keys of the same key spec and usage: "
                    + keys.arn(current.keyId())
                    + " is "
                    + current.keySpec()
                    + "/"
                    + current.keyUsage()
                    + ", "
                    + keys.arn(target.keyId())
                    + " is "
                    + target.keySpec()
                    + "/"
                    + target.keyUsage()
                    + ".");
          }
          return s.withRegion(
              caller.region(),
              rs.withAlias(new AliasRecord(name, target.keyId(), alias.creationDate(), ctx.now())));
        });
  }

  public void deleteAlias(Caller caller, DeleteAliasRequest req) {
    Validator.create().required("aliasName", req.aliasName(), 1, 256).throwIfInvalid();
    AliasName name = aliasName(req.aliasName());
    ctx.write(
        s -> {
          RegionState rs = ctx.region(s, caller);
          AliasRecord alias = existing(rs, name);
          KeyRecord target = rs.key(alias.targetKeyId());
          if (target != null) {
            keys.authorize(caller, target, "kms:DeleteAlias", null);
          }
          return s.withRegion(caller.region(), rs.withoutAlias(name));
        });
  }

  private AliasRecord existing(RegionState rs, AliasName name) {
    AliasRecord alias = rs.alias(name);
    if (alias == null) {
      throw keys.aliasNotFound(name);
    }
    return alias;
  }

  public ListAliasesResponse listAliases(Caller caller, ListAliasesRequest req) {
    Validator.create()
        .length("keyId", req.keyId(), 1, 2048)
        .range("limit", req.limit(), 1, 100)
        .length("marker", req.marker(), 1, 320)
        .throwIfInvalid();
    StoreState s = ctx.read();
    RegionState rs = ctx.region(s, caller);
    KeyId filter = req.keyId() == null ? null : keys.resolve(s, caller, req.keyId()).keyId();
    Instant now = ctx.now();
    List<AliasListEntry> all =
        rs.aliases().stream()
            .filter(a -> filter == null || a.targetKeyId().equals(filter))
            .filter(
                a -> rs.key(a.targetKeyId()) != null && !rs.key(a.targetKeyId()).isDeletedAt(now))
            .map(
                a ->
                    new AliasListEntry(
                        a.name().value(),
                        Arns.aliasArn(ctx.account, a.name()),
                        a.targetKeyId().value(),
                        a.creationDate(),
                        a.lastUpdatedDate()))
            .toList();
    Paging.Page<AliasListEntry> page = Paging.page(all, req.limit(), 50, req.marker());
    return new ListAliasesResponse(page.items(), page.nextMarker(), page.truncated());
  }

  /** Validates the parameters of CreateAlias and UpdateAlias; returns the alias name. */
  private static AliasName aliasName(String aliasName, String targetKeyId) {
    Validator.create()
        .required("aliasName", aliasName, 1, 256)
        .required("targetKeyId", targetKeyId, 1, 2048)
        .throwIfInvalid();
    return aliasName(aliasName);
  }

  private static AliasName aliasName(String text) {
    if (!text.startsWith(AliasName.PREFIX)) {
      throw new InvalidAliasNameException("Alias must start with the prefix \"alias/\".");
    }
    AliasName name = AliasName.tryParse(text);
    if (name == null) {
      throw new ValidationException(
          "1 validation error detected: Value '"
              + text
              + "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: "
              + ALIAS_PATTERN);
    }
    return name;
  }
}
