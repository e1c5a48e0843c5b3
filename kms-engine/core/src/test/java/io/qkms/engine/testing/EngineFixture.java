package io.qkms.engine.testing;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.cache.KeyCacheConfig;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import io.qkms.engine.store.KeyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real engine over a real in-memory store, with a hand-moved clock: what every engine test starts
 * from. Account 111122223333, regions us-east-1 (home) and eu-west-1.
 *
 * <p>A test class holds one in a {@code @RegisterExtension} field, which closes it after each test;
 * a test that makes its own closes it with try-with-resources.
 */
public final class EngineFixture implements AutoCloseable, AfterEachCallback {
  public static final AccountId ACCOUNT = AccountId.of("111122223333");
  public static final Region US_EAST_1 = Region.of("us-east-1");
  public static final Region EU_WEST_1 = Region.of("eu-west-1");
  public static final Duration CACHE_TTL = Duration.ofSeconds(60);

  public final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
  public final InMemoryKeyStore store = InMemoryKeyStore.create(ACCOUNT, US_EAST_1, EU_WEST_1);
  public final KmsEngine engine;

  public EngineFixture() {
    this(Duration.ofMillis(500));
  }

  public EngineFixture(Duration storeTimeout) {
    engine = engine(store, clock, storeTimeout);
  }

  /** An engine as every engine test builds it: over {@code store}, on {@code clock}. */
  public static KmsEngine engine(KeyStore store, MutableClock clock, Duration storeTimeout) {
    return engine(store, clock, storeTimeout, KeyCacheConfig.builder().ttl(CACHE_TTL).build());
  }

  /** The same, with a cache configuration of the test's own. */
  public static KmsEngine engine(
      KeyStore store, MutableClock clock, Duration storeTimeout, KeyCacheConfig cacheConfig) {
    return KmsEngine.builder()
        .keyStore(store)
        .clock(clock)
        .storeTimeout(storeTimeout)
        .cacheConfig(cacheConfig)
        .build();
  }

  public static Caller root() {
    return new Caller(Principal.root(ACCOUNT), US_EAST_1);
  }

  public static Caller root(Region region) {
    return new Caller(Principal.root(ACCOUNT), region);
  }

  public static Caller user(String name) {
    return new Caller(Principal.user(ACCOUNT, name), US_EAST_1);
  }

  /** A new SYMMETRIC_DEFAULT key in the home region. */
  public KeyMetadata symmetricKey() {
    return engine.createKey(root(), CreateKeyRequest.builder().build()).keyMetadata();
  }

  public KeyMetadata key(String keySpec, String keyUsage) {
    return engine
        .createKey(root(), CreateKeyRequest.builder().keySpec(keySpec).keyUsage(keyUsage).build())
        .keyMetadata();
  }

  public byte[] encrypt(String keyId, String plaintext, Map<String, String> context) {
    return encrypt(engine, keyId, plaintext, context);
  }

  /** Encrypt of {@code plaintext} as the account root: the ciphertext blob. */
  public byte[] encrypt(String keyId, byte[] plaintext, Map<String, String> context) {
    return encrypt(engine, keyId, plaintext, context);
  }

  /** Decrypt of {@code blob} as the account root: the plaintext. */
  public byte[] decrypt(byte[] blob, Map<String, String> context) {
    return engine
        .decrypt(
            root(),
            DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(context).build())
        .plaintext();
  }

  /** Encrypt of the UTF-8 {@code plaintext} as the account root: the ciphertext blob. */
  public static byte[] encrypt(
      KmsEngine engine, String keyId, String plaintext, Map<String, String> context) {
    return encrypt(engine, keyId, plaintext.getBytes(StandardCharsets.UTF_8), context);
  }

  private static byte[] encrypt(
      KmsEngine engine, String keyId, byte[] plaintext, Map<String, String> context) {
    return engine
        .encrypt(
            root(),
            EncryptRequest.builder()
                .keyId(keyId)
                .plaintext(plaintext)
                .encryptionContext(context)
                .build())
        .ciphertextBlob();
  }

  @Override
  public void close() {
    engine.close();
    store.close();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
