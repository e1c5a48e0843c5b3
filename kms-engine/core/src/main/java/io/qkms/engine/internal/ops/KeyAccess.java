package io.qkms.engine.internal.ops;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.InvalidGrantTokenException;
import io.qkms.engine.api.errors.KMSInternalException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.internal.auth.Decision;
import io.qkms.engine.internal.auth.GrantToken;
import io.qkms.engine.internal.auth.Grants;
import io.qkms.engine.internal.auth.GrantsUsed;
import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.internal.auth.PolicyException;
import io.qkms.engine.internal.auth.RequestContext;
import io.qkms.engine.internal.cache.CachedKey;
import io.qkms.engine.internal.cache.CachedMaterial;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.store.AliasRecord;
import io.qkms.engine.internal.store.GrantRecord;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.internal.store.RegionState;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.keys.AliasName;
import io.qkms.engine.keys.Arns;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeyIdentifier;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.Region;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finding keys and checking what may be done with them: resolving every identifier form, key
 * states, key policies with grants, grant tokens, and unwrapping materials through the cache.
 */
final class KeyAccess {
  private final EngineContext ctx;
  private final Cache<String, KeyIdentifier> parsedIdentifiers =
      Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();

  KeyAccess(EngineContext ctx) {
    this.ctx = ctx;
  }

  String arn(KeyId id) {
    return Arns.keyArn(ctx.account, id);
  }

  // ---- Resolution -------------------------------------------------------------------------

  /**
   * The key cache's clock, read once by a request that looks up several keys and materials (each
   * read costs about as much as a cached lookup); the request is judged as of that moment.
   */
  long cacheNow() {
    return ctx.cache.now();
  }

  /** Resolves an identifier on the data path, through the cache. */
  CachedKey resolveCached(Caller caller, String identifier) {
    return resolveCached(caller, identifier, cacheNow());
  }

  /** {@link #resolveCached(Caller, String)} with the cache clock read by the caller. */
  CachedKey resolveCached(Caller caller, String identifier, long now) {
    KeyId id = resolveIdCached(caller.region(), identifier);
    CachedKey key = cachedKey(caller.region(), id, now);
    if (key == null || ctx.isDeleted(key.record())) {
      throw keyNotFound(id);
    }
    return key;
  }

  /** The cached key with this ID in {@code region}, or null if the store has none. */
  CachedKey cachedKey(Region region, KeyId id) {
    return cachedKey(region, id, cacheNow());
  }

  /** {@link #cachedKey(Region, KeyId)} with the cache clock read by the caller. */
  CachedKey cachedKey(Region region, KeyId id, long now) {
    CachedKey hit = ctx.cache.memoizedKey(region, id, now); // no loader built on the data path
    if (hit != null) {
      return hit;
    }
    boolean[] maintained = new boolean[1];
    CachedKey key = ctx.cache.key(region, id, () -> loadKey(region, id, maintained));
    afterLoad(maintained);
    return key;
  }

  /** A store read inside a cache loader; notes whether it committed due maintenance. */
  private StoreState loaderRead(boolean[] maintained) {
    EngineContext.Loaded loaded = ctx.readForLoader();
    maintained[0] |= loaded.maintained();
    return loaded.state();
  }

  /** After a cache call whose loader committed maintenance, drops metadata cached before it. */
  private void afterLoad(boolean[] maintained) {
    if (maintained[0]) {
      ctx.cache.invalidateAllMetadata(); // outside the loader: see EngineContext.readForLoader
    }
  }

  /** Drops and reloads one key (a grant token named a grant the cached copy does not have). */
  CachedKey refreshedKey(Region region, KeyId id) {
    ctx.cache.invalidateKey(region, id);
    return cachedKey(region, id);
  }

  private CachedKey loadKey(Region region, KeyId id, boolean[] maintained) {
    StoreState s = loaderRead(maintained);
    RegionState rs = s.region(region);
    KeyRecord r = rs == null ? null : rs.key(id);
    return r == null ? null : toCached(region, r);
  }

  CachedKey toCached(Region region, KeyRecord r) {
    KeyPolicy policy;
    try {
      policy = KeyPolicy.parse(r.policy());
    } catch (PolicyException e) {
      policy = null; // stored policies were checked when put; a bad one is damage, reported on use
    }
    return new CachedKey(region, r, arn(r.keyId()), policy);
  }

  private KeyId resolveIdCached(Region region, String identifier) {
    KeyIdentifier parsed = parse(identifier);
    if (parsed instanceof KeyIdentifier.ById k) {
      return k.keyId(); // the common case, without building the alias function
    }
    return resolveId(parsed, alias -> aliasTargetCached(region, alias));
  }

  /** The key ID an identifier names, looking aliases up with {@code aliases}. */
  private KeyId resolveId(KeyIdentifier parsed, Function<AliasName, KeyId> aliases) {
    if (parsed instanceof KeyIdentifier.ById k) {
      return k.keyId();
    }
    if (parsed instanceof KeyIdentifier.ByKeyArn k) {
      checkAccount(k.account().value(), k.keyId());
      return k.keyId();
    }
    if (parsed instanceof KeyIdentifier.ByAliasName a) {
      return aliases.apply(a.alias());
    }
    KeyIdentifier.ByAliasArn a = (KeyIdentifier.ByAliasArn) parsed;
    if (!a.account().equals(ctx.account)) {
      // Name the alias ARN the caller gave, as for a key ARN of another account.
      throw new NotFoundException(
          "Alias " + Arns.aliasArn(a.account(), a.alias()) + " is not found.");
    }
    return aliases.apply(a.alias());
  }

  private KeyId aliasTargetCached(Region region, AliasName alias) {
    KeyId hit = ctx.cache.memoizedAlias(region, alias);
    if (hit != null) {
      return hit;
    }
    boolean[] maintained = new boolean[1];
    KeyId target =
        ctx.cache.alias(
            region,
            alias,
            () -> {
              RegionState rs = loaderRead(maintained).region(region);
              AliasRecord ar = rs == null ? null : rs.alias(alias);
              return ar == null ? null : ar.targetKeyId();
            });
    afterLoad(maintained);
    if (target == null) {
      throw aliasNotFound(alias);
    }
    return target;
  }

  /** Resolves an identifier against a fresh store state (management operations). */
  KeyRecord resolve(StoreState state, Caller caller, String identifier) {
    RegionState rs = ctx.region(state, caller);
    KeyId id = resolveId(parse(identifier), alias -> aliasTarget(rs, alias));
    KeyRecord r = rs.key(id);
    if (r == null || ctx.isDeleted(r)) {
      throw keyNotFound(id);
    }
    return r;
  }

  /**
   * Resolves {@code identifier} as {@link #resolve} does and authorizes {@code action} on the key
   * by its policy alone (no grant stands in).
   */
  KeyRecord resolveAuthorized(StoreState state, Caller caller, String identifier, String action) {
    KeyRecord r = resolve(state, caller, identifier);
    authorize(caller, r, action, null);
    return r;
  }

  private KeyId aliasTarget(RegionState rs, AliasName alias) {
    AliasRecord ar = rs.alias(alias);
    if (ar == null) {
      throw aliasNotFound(alias);
    }
    return ar.targetKeyId();
  }

  private KeyIdentifier parse(String identifier) {
    // Parsing an ARN allocates a handful of strings; a job names the same few keys millions of
    // times, so parsed identifiers are remembered (invalid ones are not: null is never cached).
    KeyIdentifier parsed =
        identifier == null ? null : parsedIdentifiers.get(identifier, KeyIdentifier::parse);
    if (parsed == null) {
      throw new NotFoundException("Invalid keyId '" + identifier + "'");
    }
    return parsed;
  }

  private void checkAccount(String account, KeyId id) {
    if (!account.equals(ctx.account.value())) {
      throw new NotFoundException(
          "Key '" + Arns.PREFIX + account + ":key/" + id.value() + "' does not exist");
    }
  }

  NotFoundException keyNotFound(KeyId id) {
    return new NotFoundException("Key '" + arn(id) + "' does not exist");
  }

  NotFoundException aliasNotFound(AliasName alias) {
    return new NotFoundException("Alias " + Arns.aliasArn(ctx.account, alias) + " is not found.");
  }

  // ---- States -----------------------------------------------------------------------------

  /** The key must be Enabled: the checks of every cryptographic operation. */
  static void requireEnabled(KeyRecord r, String arn) {
    switch (r.state()) {
      case ENABLED -> {}
      case DISABLED -> throw new DisabledException(arn + " is disabled.");
      default -> throw invalidState(r.state(), arn);
    }
  }

  /** The key must not be pending deletion (or worse): the check of most management operations. */
  static void requireNotPendingDeletion(KeyRecord r, String arn) {
    if (r.state() == KeyState.PENDING_DELETION || r.state() == KeyState.UNAVAILABLE) {
      throw invalidState(r.state(), arn);
    }
  }

  static KMSInvalidStateException invalidState(KeyState state, String arn) {
    return new KMSInvalidStateException(
        switch (state) {
          case PENDING_DELETION -> arn + " is pending deletion.";
          case PENDING_IMPORT -> arn + " is pending import.";
          case UNAVAILABLE -> arn + " is unavailable.";
          case DISABLED -> arn + " is disabled.";
          case ENABLED -> arn + " is enabled.";
        });
  }

  // ---- Authorization ----------------------------------------------------------------------

  /**
   * Allows the call if the key policy allows {@code action} and no statement denies it, or, failing
   * an explicit Deny, if a grant gives the caller {@code grantOperation} under constraints that
   * {@code context} meets.
   *
   * @param grantOperation the grant operation that may stand in for the policy, or null
   */
  void authorize(
      Caller caller,
      CachedKey key,
      String action,
      String grantOperation,
      Map<String, String> context,
      Consumer<RequestContext.Builder> extra) {
    authorize(
        caller,
        key,
        action,
        () ->
            grantOperation == null
                ? null
                : Grants.allowing(
                    key.record().grants(), caller.principal(), grantOperation, context),
        context,
        extra);
  }

  /**
   * Allows the call if the key policy allows {@code action} and no statement denies it, or, failing
   * an explicit Deny, if {@code grantAllowing} names a grant of the key that allows it (noted in
   * {@link GrantsUsed} for the audit trail).
   */
  void authorize(
      Caller caller,
      CachedKey key,
      String action,
      Supplier<GrantRecord> grantAllowing,
      Map<String, String> context,
      Consumer<RequestContext.Builder> extra) {
    if (key.policy() == null) {
      throw new KMSInternalException("The stored key policy of " + key.arn() + " is damaged");
    }
    RequestContext.Builder b =
        RequestContext.builder(caller.principal(), action, key.arn()).encryptionContext(context);
    if (extra != null) {
      extra.accept(b);
    }
    Decision d = key.policy().evaluate(b.build());
    if (d == Decision.ALLOW) {
      return;
    }
    if (d == Decision.IMPLICIT_DENY) {
      GrantRecord g = grantAllowing.get();
      if (g != null) {
        GrantsUsed.note(g.grantId());
        return;
      }
    }
    throw new AccessDeniedException(
        "User: "
            + caller.principal().arn()
            + " is not authorized to perform: "
            + action
            + " on resource: "
            + key.arn()
            + (d == Decision.EXPLICIT_DENY
                ? " with an explicit deny in a resource-based policy"
                : " because no resource-based policy allows the " + action + " action"));
  }

  /** Same as above for management operations on a freshly read record. */
  void authorize(Caller caller, KeyRecord r, String action, String grantOperation) {
    authorize(caller, toCached(caller.region(), r), action, grantOperation, null, null);
  }

  /**
   * Every token must be well-formed and name a live grant in the caller's region. A token for a
   * grant the cache does not know yet reloads the key it belongs to, which is what tokens are for
   * in AWS (using a grant before it is visible everywhere).
   */
  void checkGrantTokens(Caller caller, List<String> tokens) {
    if (tokens == null) {
      return;
    }
    Region region = caller.region();
    for (String text : tokens) {
      GrantToken token = GrantToken.decode(text);
      if (token == null) {
        throw new InvalidGrantTokenException("The grant token is not valid.");
      }
      String grantId = token.grantId();
      boolean[] maintained = new boolean[1];
      KeyId keyId =
          ctx.cache.grantKey(
              region, grantId, () -> grantOwner(loaderRead(maintained), region, grantId));
      afterLoad(maintained);
      CachedKey key = keyId == null ? null : cachedKey(region, keyId);
      if (key == null || findGrant(key.record(), grantId) == null) {
        ctx.cache.invalidateGrant(region, grantId);
        keyId = grantOwner(ctx.read(), region, grantId);
        key = keyId == null ? null : refreshedKey(region, keyId);
      }
      if (key == null || findGrant(key.record(), grantId) == null) {
        throw new InvalidGrantTokenException("The grant token does not belong to a live grant.");
      }
    }
  }

  /** The key in {@code region} that holds grant {@code grantId}, or null. */
  static KeyId grantOwner(StoreState s, Region region, String grantId) {
    RegionState rs = s.region(region);
    if (rs == null) {
      return null;
    }
    for (KeyRecord k : rs.keys()) {
      if (findGrant(k, grantId) != null) {
        return k.keyId();
      }
    }
    return null;
  }

  static GrantRecord findGrant(KeyRecord r, String grantId) {
    for (GrantRecord g : r.grants()) {
      if (g.grantId().equals(grantId)) {
        return g;
      }
    }
    return null;
  }

  // ---- Materials --------------------------------------------------------------------------

  /**
   * A retained, unwrapped material, judged fresh as of {@code now} ({@link #cacheNow}); the caller
   * must release it. Unwrapping failures become KeyUnavailableException (sealed store) or
   * KMSInternalException (damaged material).
   */
  CachedMaterial retainMaterial(KeyRecord r, MaterialRecord m, long now) {
    CachedMaterial memoized = ctx.cache.retainMemoizedMaterial(r.keyId(), m.id(), now);
    if (memoized != null) {
      return memoized; // this thread's last use of it, still fresh: no loader to build
    }
    return ctx.guard(
        () ->
            ctx.cache.retainMaterial(
                r.keyId(),
                m.id(),
                id -> {
                  byte[] secret =
                      ctx.store.materialProtector().unwrap(r.keyId(), m.id(), m.wrappedSecret());
                  if (r.keySpec() == KeySpec.SYMMETRIC_DEFAULT) {
                    try {
                      return CachedMaterial.symmetric(secret);
                    } finally {
                      Bytes.zero(secret);
                    }
                  }
                  return CachedMaterial.opaque(secret);
                }));
  }
}
