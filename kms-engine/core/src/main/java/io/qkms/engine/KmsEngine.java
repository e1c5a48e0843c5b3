package io.qkms.engine;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.CiphertextHeader;
import io.qkms.engine.api.KeyCreators;
import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.Kms;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.*;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.cache.KeyCacheStats;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.internal.cache.KeyCache;
import io.qkms.engine.internal.crypto.BadCiphertextException;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import io.qkms.engine.internal.ops.OperationGroups;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The QKMS engine: every operation of the API over one {@link KeyStore}, with a bounded key cache.
 * Thread-safe; open one per JVM and share it (the pipeline's workers do).
 *
 * <pre>{@code
 * try (KmsEngine engine = KmsEngine.builder().keyStore(store).build()) {
 *   Caller root = engine.rootCaller();
 *   String keyId = engine.createKey(root, CreateKeyRequest.builder().build()).keyMetadata().arn();
 *   byte[] blob = engine.encrypt(root, EncryptRequest.builder().keyId(keyId)
 *       .plaintext(data).build()).ciphertextBlob();
 * }
 * }</pre>
 */
public final class KmsEngine implements Kms, AutoCloseable {
  /** How long a call waits for the key store before failing with DependencyTimeoutException. */
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(5);

  /** The most keys a region of a store holds, in any state: AWS's default quota per region. */
  public static final int DEFAULT_KEYS_PER_REGION = 100_000;

  private final KeyCache cache;
  private final OperationGroups ops;
  private final AccessKeys accessKeys;
  private final AccountId account;
  private final List<Region> regions;

  private KmsEngine(Builder b) {
    Clock clock = b.clock;
    this.cache = new KeyCache(b.cacheConfig, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    this.ops =
        OperationGroups.create(
            StateStore.of(b.store), cache, clock, b.storeTimeout, b.keysPerRegion, b.keyCreators);
    this.accessKeys = AccessKeys.of(b.store, b.storeTimeout);
    this.account = ops.account();
    this.regions = ops.regions();
  }

  public static Builder builder() {
    return new Builder();
  }

  public AccountId accountId() {
    return account;
  }

  /** The store's regions; the first is the home region. */
  public List<Region> regions() {
    return regions;
  }

  public Region homeRegion() {
    return regions.get(0);
  }

  /** The account root calling in the home region. */
  public Caller rootCaller() {
    return new Caller(Principal.root(account), homeRegion());
  }

  /** The access keys of the engine's store (the HTTP endpoint's credentials). */
  public AccessKeys accessKeys() {
    return accessKeys;
  }

  /** Hit, miss and eviction counts of the key cache. */
  public KeyCacheStats cacheStats() {
    return cache.stats();
  }

  /**
   * The material {@code keyId} (any identifier form) encrypts with now, served from the key cache;
   * needs kms:DescribeKey. Not a wire operation: the re-key job uses it, with {@link
   * #ciphertextKeyMaterial}, to skip ciphertexts that are already under the newest material.
   */
  public KeyMaterialRef currentKeyMaterial(Caller caller, String keyId) {
    return ops.crypto().currentKeyMaterial(ops.checked(caller), keyId);
  }

  /**
   * The key and material a QKMS ciphertext's cleartext header names, or null if the bytes are not a
   * QKMS symmetric ciphertext. Reads the header only: it does not prove the blob authentic.
   */
  public KeyMaterialRef ciphertextKeyMaterial(byte[] ciphertextBlob) {
    return ops.crypto().ciphertextKeyMaterial(ciphertextBlob);
  }

  /**
   * The key ID and material a QKMS ciphertext's cleartext header names, or null if the bytes are
   * not a QKMS symmetric ciphertext. Needs no engine or key store (a census of the data reads only
   * this); proves nothing about the blob, which is authenticated only when it is decrypted.
   */
  public static CiphertextHeader readCiphertextHeader(byte[] ciphertextBlob) {
    try {
      CiphertextFormat.Header h = CiphertextFormat.parseHeader(ciphertextBlob);
      return new CiphertextHeader(h.keyId(), h.materialId());
    } catch (BadCiphertextException e) {
      return null;
    }
  }

  /** Applies due automatic rotations and expired key deletions now (servers call this). */
  public void runMaintenance() {
    ops.runMaintenance();
  }

  /** Wipes every cached key material. The store is not closed: its opener owns it. */
  @Override
  public void close() {
    cache.invalidateAllMaterials();
    cache.invalidateAllMetadata();
  }

  @Override
  public CreateKeyResponse createKey(Caller caller, CreateKeyRequest request) {
    return ops.keys().createKey(ops.checked(caller), request);
  }

  @Override
  public DescribeKeyResponse describeKey(Caller caller, DescribeKeyRequest request) {
    return ops.keys().describeKey(ops.checked(caller), request);
  }

  @Override
  public ListKeysResponse listKeys(Caller caller, ListKeysRequest request) {
    return ops.keys().listKeys(ops.checked(caller), request);
  }

  @Override
  public void enableKey(Caller caller, EnableKeyRequest request) {
    ops.keys().enableKey(ops.checked(caller), request);
  }

  @Override
  public void disableKey(Caller caller, DisableKeyRequest request) {
    ops.keys().disableKey(ops.checked(caller), request);
  }

  @Override
  public ScheduleKeyDeletionResponse scheduleKeyDeletion(
      Caller caller, ScheduleKeyDeletionRequest request) {
    return ops.keys().scheduleKeyDeletion(ops.checked(caller), request);
  }

  @Override
  public CancelKeyDeletionResponse cancelKeyDeletion(
      Caller caller, CancelKeyDeletionRequest request) {
    return ops.keys().cancelKeyDeletion(ops.checked(caller), request);
  }

  @Override
  public void createAlias(Caller caller, CreateAliasRequest request) {
    ops.aliases().createAlias(ops.checked(caller), request);
  }

  @Override
  public void updateAlias(Caller caller, UpdateAliasRequest request) {
    ops.aliases().updateAlias(ops.checked(caller), request);
  }

  @Override
  public void deleteAlias(Caller caller, DeleteAliasRequest request) {
    ops.aliases().deleteAlias(ops.checked(caller), request);
  }

  @Override
  public ListAliasesResponse listAliases(Caller caller, ListAliasesRequest request) {
    return ops.aliases().listAliases(ops.checked(caller), request);
  }

  @Override
  public EncryptResponse encrypt(Caller caller, EncryptRequest request) {
    return ops.crypto().encrypt(ops.checked(caller), request);
  }

  @Override
  public DecryptResponse decrypt(Caller caller, DecryptRequest request) {
    return ops.crypto().decrypt(ops.checked(caller), request);
  }

  @Override
  public ReEncryptResponse reEncrypt(Caller caller, ReEncryptRequest request) {
    return ops.crypto().reEncrypt(ops.checked(caller), request);
  }

  @Override
  public GenerateDataKeyResponse generateDataKey(Caller caller, GenerateDataKeyRequest request) {
    return ops.crypto().generateDataKey(ops.checked(caller), request);
  }

  @Override
  public GenerateDataKeyWithoutPlaintextResponse generateDataKeyWithoutPlaintext(
      Caller caller, GenerateDataKeyWithoutPlaintextRequest request) {
    return ops.crypto().generateDataKeyWithoutPlaintext(ops.checked(caller), request);
  }

  @Override
  public RotateKeyOnDemandResponse rotateKeyOnDemand(
      Caller caller, RotateKeyOnDemandRequest request) {
    return ops.rotations().rotateKeyOnDemand(ops.checked(caller), request);
  }

  @Override
  public void enableKeyRotation(Caller caller, EnableKeyRotationRequest request) {
    ops.rotations().enableKeyRotation(ops.checked(caller), request);
  }

  @Override
  public void disableKeyRotation(Caller caller, DisableKeyRotationRequest request) {
    ops.rotations().disableKeyRotation(ops.checked(caller), request);
  }

  @Override
  public GetKeyRotationStatusResponse getKeyRotationStatus(
      Caller caller, GetKeyRotationStatusRequest request) {
    return ops.rotations().getKeyRotationStatus(ops.checked(caller), request);
  }

  @Override
  public ListKeyRotationsResponse listKeyRotations(Caller caller, ListKeyRotationsRequest request) {
    return ops.rotations().listKeyRotations(ops.checked(caller), request);
  }

  @Override
  public CreateGrantResponse createGrant(Caller caller, CreateGrantRequest request) {
    return ops.grants().createGrant(ops.checked(caller), request);
  }

  @Override
  public ListGrantsResponse listGrants(Caller caller, ListGrantsRequest request) {
    return ops.grants().listGrants(ops.checked(caller), request);
  }

  @Override
  public void retireGrant(Caller caller, RetireGrantRequest request) {
    ops.grants().retireGrant(ops.checked(caller), request);
  }

  @Override
  public void revokeGrant(Caller caller, RevokeGrantRequest request) {
    ops.grants().revokeGrant(ops.checked(caller), request);
  }

  @Override
  public void putKeyPolicy(Caller caller, PutKeyPolicyRequest request) {
    ops.keys().putKeyPolicy(ops.checked(caller), request);
  }

  @Override
  public GetKeyPolicyResponse getKeyPolicy(Caller caller, GetKeyPolicyRequest request) {
    return ops.keys().getKeyPolicy(ops.checked(caller), request);
  }

  @Override
  public ReplicateKeyResponse replicateKey(Caller caller, ReplicateKeyRequest request) {
    return ops.keys().replicateKey(ops.checked(caller), request);
  }

  @Override
  public BatchReEncryptResponse batchReEncrypt(Caller caller, BatchReEncryptRequest request) {
    return ops.crypto().batchReEncrypt(ops.checked(caller), request);
  }

  /** Builds a {@link KmsEngine}. Only the key store is required. */
  public static final class Builder {
    private KeyStore store;
    private Clock clock = Clock.systemUTC();
    private KeyCacheConfig cacheConfig = KeyCacheConfig.defaults();
    private Duration storeTimeout = DEFAULT_STORE_TIMEOUT;
    private int keysPerRegion = DEFAULT_KEYS_PER_REGION;
    private KeyCreators keyCreators = KeyCreators.accountRoot();

    private Builder() {}

    /**
     * The most keys one region may hold, in any state (default {@value #DEFAULT_KEYS_PER_REGION});
     * CreateKey and ReplicateKey beyond it get LimitExceededException.
     */
    public Builder keysPerRegion(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("keysPerRegion must be at least 1, was " + limit);
      }
      this.keysPerRegion = limit;
      return this;
    }

    /** Who may call CreateKey; default {@link KeyCreators#accountRoot()}. */
    public Builder keyCreators(KeyCreators creators) {
      this.keyCreators = Objects.requireNonNull(creators, "creators");
      return this;
    }

    public Builder keyStore(KeyStore store) {
      StateStore.of(Objects.requireNonNull(store, "store")); // refuses a store QKMS did not make
      this.store = store;
      return this;
    }

    /** The clock for deletion windows, rotation periods and cache expiry (tests inject one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder cacheConfig(KeyCacheConfig config) {
      this.cacheConfig = Objects.requireNonNull(config, "config");
      return this;
    }

    public Builder storeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("storeTimeout must be positive, was " + timeout);
      }
      this.storeTimeout = timeout;
      return this;
    }

    public KmsEngine build() {
      if (store == null) {
        throw new IllegalStateException("keyStore(...) is required");
      }
      return new KmsEngine(this);
    }
  }
}
