package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyCreators;
import io.qkms.engine.internal.cache.KeyCache;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The implementations of the API's operations over one store and cache, in groups that share the
 * key lookups and checks ({@link KeyAccess}). {@code KmsEngine} calls them directly.
 */
public final class OperationGroups {
  private final EngineContext ctx;
  private final KeyManagement keys;
  private final AliasManagement aliases;
  private final Cryptography crypto;
  private final RotationManagement rotations;
  private final GrantManagement grants;

  private OperationGroups(EngineContext ctx) {
    this.ctx = ctx;
    KeyAccess access = new KeyAccess(ctx);
    keys = new KeyManagement(ctx, access);
    aliases = new AliasManagement(ctx, access);
    crypto = new Cryptography(ctx, access);
    rotations = new RotationManagement(ctx, access);
    grants = new GrantManagement(ctx, access);
  }

  /**
   * Reads the store once, for its account and regions.
   *
   * @param keysPerRegion the most keys a region may hold (CreateKey and ReplicateKey beyond it get
   *     LimitExceededException)
   * @param keyCreators who may call CreateKey
   */
  public static OperationGroups create(
      StateStore store,
      KeyCache cache,
      Clock clock,
      Duration storeTimeout,
      int keysPerRegion,
      KeyCreators keyCreators) {
    return new OperationGroups(
        new EngineContext(
            store,
            cache,
            clock,
            storeTimeout,
            new EngineContext.Limits(keysPerRegion, keyCreators)));
  }

  public KeyManagement keys() {
    return keys;
  }

  public AliasManagement aliases() {
    return aliases;
  }

  public Cryptography crypto() {
    return crypto;
  }

  public RotationManagement rotations() {
    return rotations;
  }

  public GrantManagement grants() {
    return grants;
  }

  public AccountId account() {
    return ctx.account;
  }

  /** The store's regions; the first is the home region. */
  public List<Region> regions() {
    return ctx.regions;
  }

  /**
   * {@code caller}, once its region is known to be one of the store's (else ValidationException).
   */
  public Caller checked(Caller caller) {
    ctx.checkRegion(caller.region());
    return caller;
  }

  /** Applies due automatic rotations and expired deletions now, if the store is writable. */
  public void runMaintenance() {
    if (!ctx.store.isReadOnly()) {
      ctx.write(UnaryOperator.identity());
    }
  }
}
