package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DryRunOperationException;
import io.qkms.engine.api.errors.InvalidGrantIdException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.errors.LimitExceededException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.CreateGrantResponse;
import io.qkms.engine.api.model.GrantConstraints;
import io.qkms.engine.api.model.GrantListEntry;
import io.qkms.engine.api.model.ListGrantsRequest;
import io.qkms.engine.api.model.ListGrantsResponse;
import io.qkms.engine.api.model.RetireGrantRequest;
import io.qkms.engine.api.model.RevokeGrantRequest;
import io.qkms.engine.internal.auth.GrantOperationNames;
import io.qkms.engine.internal.auth.GrantToken;
import io.qkms.engine.internal.auth.Grants;
import io.qkms.engine.internal.store.GrantRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeyState;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** CreateGrant, ListGrants, RetireGrant, RevokeGrant. */
public final class GrantManagement extends OperationGroup {
  static final int MAX_GRANTS_PER_KEY = 50_000;
  private static final HexFormat HEX = HexFormat.of();

  GrantManagement(EngineContext ctx, KeyAccess keys) {
    super(ctx, keys);
  }

  public CreateGrantResponse createGrant(Caller caller, CreateGrantRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .required("granteePrincipal", req.granteePrincipal(), 1, 256)
        .length("retiringPrincipal", req.retiringPrincipal(), 1, 256)
        .required("operations", req.operations())
        .eachOneOf("operations", req.operations(), GrantOperationNames.ALL)
        .stringList("grantTokens", req.grantTokens(), 0, 10, 1, 8192)
        .length("name", req.name(), 1, 256)
        .throwIfInvalid();
    if (req.operations().isEmpty()) {
      throw new ValidationException(
          "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint:"
              + " Member must have length greater than or equal to 1");
    }
    Principal grantee = principal("granteePrincipal", req.granteePrincipal());
    Principal retiring =
        req.retiringPrincipal() == null
            ? null
            : principal("retiringPrincipal", req.retiringPrincipal());
    GrantConstraints constraints = req.constraints();
    boolean constrained =
        constraints != null
            && (constraints.encryptionContextEquals() != null
                || constraints.encryptionContextSubset() != null);
    if (constrained) {
      Validator.create()
          .context("constraints.encryptionContextEquals", constraints.encryptionContextEquals())
          .context("constraints.encryptionContextSubset", constraints.encryptionContextSubset())
          .throwIfInvalid();
      for (String op : req.operations()) {
        if (!GrantOperationNames.allowedWithConstraints(op)) {
          throw new ValidationException(
              "Grant constraints apply only to operations that take an encryption context; "
                  + op
                  + " does not.");
        }
      }
    }
    keys.checkGrantTokens(caller, req.grantTokens());
    List<String> operations = req.operations().stream().distinct().toList();
    String grantId = HEX.formatHex(random(32));
    GrantRecord[] result = new GrantRecord[1];
    ctx.write(
        s -> {
          RegionState rs = ctx.region(s, caller);
          KeyRecord r = keys.resolve(s, caller, req.keyId());
          String arn = keys.arn(r.keyId());
          keys.authorize(
              caller,
              keys.toCached(caller.region(), r),
              "kms:CreateGrant",
              () ->
                  Grants.allowingCreateGrant(
                      r.grants(),
                      caller.principal(),
                      operations,
                      constrained ? constraints.encryptionContextEquals() : null,
                      constrained ? constraints.encryptionContextSubset() : null),
              null,
              b -> b.grantOperations(operations).granteePrincipal(grantee.arn()));
          if (r.state() == KeyState.PENDING_DELETION || r.state() == KeyState.UNAVAILABLE) {
            throw KeyAccess.invalidState(r.state(), arn);
          }
          for (String op : operations) {
            if (!GrantOperationNames.fits(op, r.keySpec(), r.keyUsage())) {
              throw new ValidationException(
                  "Grant operation "
                      + op
                      + " is not valid for "
                      + arn
                      + " (key spec "
                      + r.keySpec()
                      + ", key usage "
                      + r.keyUsage()
                      + ").");
            }
          }
          if (Boolean.TRUE.equals(req.dryRun())) {
            throw new DryRunOperationException(Cryptography.DRY_RUN_MESSAGE);
          }
          GrantRecord candidate =
              new GrantRecord(
                  grantId,
                  req.name(),
                  grantee.arn(),
                  retiring == null ? null : retiring.arn(),
                  operations,
                  constrained ? constraints.encryptionContextEquals() : null,
                  constrained ? constraints.encryptionContextSubset() : null,
                  ctx.now(),
                  ctx.account.value());
          // CreateGrant is idempotent for a named grant with the same parameters, as in AWS.
          for (GrantRecord g : r.grants()) {
            if (req.name() != null && sameGrant(g, candidate)) {
              result[0] = g;
              return s;
            }
          }
          if (r.grants().size() >= MAX_GRANTS_PER_KEY) {
            throw new LimitExceededException(
                "The maximum number of grants ("
                    + MAX_GRANTS_PER_KEY
                    + ") for "
                    + arn
                    + " was reached.");
          }
          result[0] = candidate;
          List<GrantRecord> grants = new ArrayList<>(r.grants());
          grants.add(candidate);
          return s.withRegion(caller.region(), rs.withKey(r.toBuilder().grants(grants).build()));
        });
    GrantRecord g = result[0];
    return new CreateGrantResponse(new GrantToken(g.grantId()).encode(), g.grantId());
  }

  private static boolean sameGrant(GrantRecord a, GrantRecord b) {
    return Objects.equals(a.name(), b.name())
        && a.granteePrincipal().equals(b.granteePrincipal())
        && Objects.equals(a.retiringPrincipal(), b.retiringPrincipal())
        && a.operations().equals(b.operations())
        && Objects.equals(a.contextEquals(), b.contextEquals())
        && Objects.equals(a.contextSubset(), b.contextSubset());
  }

  public ListGrantsResponse listGrants(Caller caller, ListGrantsRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .range("limit", req.limit(), 1, 100)
        .length("marker", req.marker(), 1, 320)
        .length("grantId", req.grantId(), 1, 128)
        .length("granteePrincipal", req.granteePrincipal(), 1, 256)
        .throwIfInvalid();
    KeyRecord r = keys.resolve(ctx.read(), caller, req.keyId());
    keys.authorize(caller, r, "kms:ListGrants", null);
    String arn = keys.arn(r.keyId());
    List<GrantListEntry> all =
        r.grants().stream()
            .filter(g -> req.grantId() == null || g.grantId().equals(req.grantId()))
            .filter(
                g ->
                    req.granteePrincipal() == null
                        || g.granteePrincipal().equals(req.granteePrincipal()))
            .map(
                g ->
                    new GrantListEntry(
                        arn,
                        g.grantId(),
                        g.name(),
                        g.creationDate(),
                        g.granteePrincipal(),
                        g.retiringPrincipal(),
                        Principal.root(AccountId.of(g.issuingAccount())).arn(),
                        g.operations(),
                        g.contextEquals() == null && g.contextSubset() == null
                            ? null
                            : new GrantConstraints(g.contextSubset(), g.contextEquals())))
            .toList();
    Paging.Page<GrantListEntry> page = Paging.page(all, req.limit(), 50, req.marker());
    return new ListGrantsResponse(page.items(), page.nextMarker(), page.truncated());
  }

  public void retireGrant(Caller caller, RetireGrantRequest req) {
    Validator.create()
        .length("grantToken", req.grantToken(), 1, 8192)
        .length("keyId", req.keyId(), 1, 2048)
        .length("grantId", req.grantId(), 1, 128)
        .error(
            req.grantToken() == null && (req.keyId() == null || req.grantId() == null),
            "Either GrantToken, or both KeyId and GrantId, must be specified.")
        .throwIfInvalid();
    GrantToken token = null;
    if (req.grantToken() != null) {
      token = GrantToken.decode(req.grantToken());
      if (token == null) {
        throw new InvalidGrantTokenException("The grant token is not valid.");
      }
    }
    GrantToken t = token;
    ctx.write(
        s -> {
          RegionState rs = ctx.region(s, caller);
          KeyRecord r;
          String grantId;
          if (t != null) {
            grantId = t.grantId();
            KeyId owner = KeyAccess.grantOwner(s, caller.region(), grantId);
            if (owner == null) {
              throw new InvalidGrantTokenException(
                  "The grant token does not belong to a live grant.");
            }
            r = rs.key(owner);
          } else {
            r = keys.resolve(s, caller, req.keyId());
            grantId = checkGrantId(req.grantId());
          }
          GrantRecord g = find(r, grantId);
          if (g == null) {
            throw new NotFoundException("Grant ID " + grantId + " not found");
          }
          String principal = caller.principal().arn();
          boolean allowed =
              principal.equals(g.retiringPrincipal())
                  || principal.equals(g.granteePrincipal())
                      && g.operations().contains(GrantOperationNames.RETIRE_GRANT)
                  || caller.principal().isRoot()
                      && caller.principal().account().value().equals(g.issuingAccount());
          if (!allowed) {
            throw new AccessDeniedException(
                "User: "
                    + principal
                    + " is not authorized to perform: kms:RetireGrant on grant "
                    + grantId
                    + " of resource: "
                    + keys.arn(r.keyId()));
          }
          if (Boolean.TRUE.equals(req.dryRun())) {
            throw new DryRunOperationException(Cryptography.DRY_RUN_MESSAGE);
          }
          return withoutGrant(s, caller, r, grantId);
        });
  }

  public void revokeGrant(Caller caller, RevokeGrantRequest req) {
    Validator.create()
        .required("keyId", req.keyId(), 1, 2048)
        .required("grantId", req.grantId(), 1, 128)
        .throwIfInvalid();
    String grantId = checkGrantId(req.grantId());
    ctx.write(
        s -> {
          KeyRecord r = keys.resolveAuthorized(s, caller, req.keyId(), "kms:RevokeGrant");
          if (find(r, grantId) == null) {
            throw new NotFoundException("Grant ID " + grantId + " not found");
          }
          if (Boolean.TRUE.equals(req.dryRun())) {
            throw new DryRunOperationException(Cryptography.DRY_RUN_MESSAGE);
          }
          return withoutGrant(s, caller, r, grantId);
        });
  }

  private StoreState withoutGrant(StoreState s, Caller caller, KeyRecord r, String grantId) {
    List<GrantRecord> grants = new ArrayList<>(r.grants());
    grants.removeIf(g -> g.grantId().equals(grantId));
    return s.withRegion(
        caller.region(), s.region(caller.region()).withKey(r.toBuilder().grants(grants).build()));
  }

  private static GrantRecord find(KeyRecord r, String grantId) {
    return KeyAccess.findGrant(r, grantId);
  }

  private static String checkGrantId(String grantId) {
    if (!GrantToken.isGrantId(grantId)) {
      throw new InvalidGrantIdException("Invalid grant ID: " + grantId);
    }
    return grantId;
  }

  private static Principal principal(String member, String arn) {
    Principal p = Principal.tryParse(arn);
    if (p == null) {
      throw new ValidationException(
          "1 validation error detected: Value '"
              + arn
              + "' at '"
              + member
              + "' failed to satisfy constraint: Member must be a principal ARN"
              + " (arn:verenc:<account>:root, ...:user/<name> or ...:role/<name>)");
    }
    return p;
  }

  private byte[] random(int n) {
    byte[] b = new byte[n];
    ctx.random().nextBytes(b);
    return b;
  }
}
