package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.KeyStore;
import io.qkms.engine.testing.EngineFixture;
import io.qkms.engine.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Shared set-up of the file store tests: stores, engines over them, small helpers. */
final class FileStores {
  static final AccountId ACCOUNT = EngineFixture.ACCOUNT;
  static final Region US_EAST_1 = EngineFixture.US_EAST_1;
  static final Region EU_WEST_1 = EngineFixture.EU_WEST_1;
  static final List<Region> REGIONS = List.of(US_EAST_1, EU_WEST_1);
  static final Duration CACHE_TTL = EngineFixture.CACHE_TTL;
  static final Duration STORE_TIMEOUT = Duration.ofMillis(500);

  /** Argon2id at its smallest: tests exercise the KDF path, not its cost. */
  static final KdfParams FAST_KDF = new KdfParams(new byte[16], 8, 1, 1);

  private FileStores() {}

  /**
   * The state {@code dir}'s store file holds, decrypted (and inflated) with its root key file: the
   * text a reader who has the root key sees. Searching this, not the file's bytes (encrypted, and
   * compressed before that), is what can show a secret kept in clear.
   */
  /**
   * Asserts that {@code open} fails with {@code problem} and exactly {@code message}; returns the
   * exception for further checks.
   */
  static KeyStoreOpenException assertOpenFails(
      KeyStoreOpenException.Problem problem, String message, Executable open) {
    KeyStoreOpenException e = assertThrows(KeyStoreOpenException.class, open);
    assertThat(e.problem(), equalTo(problem));
    assertThat(e.getMessage(), equalTo(message));
    return e;
  }

  static String decryptedState(Path dir) throws IOException {
    Path file = dir.resolve(FileKeyStore.STORE_FILE);
    StoreFile.Parsed parsed = StoreFile.parse(Files.readAllBytes(file), file.toString());
    byte[] rootKey = FileKeyStore.readRootKeyFile(rootKeyFile(dir));
    try (RootKeys keys = RootKeys.derive(rootKey, parsed.header().storeId())) {
      return new String(
          StoreFile.decryptState(parsed, keys, file.toString()), StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(rootKey, (byte) 0);
    }
  }

  /** The store file's bytes as text, one character a byte. */
  static String rawFile(Path dir) throws IOException {
    return new String(
        Files.readAllBytes(dir.resolve(FileKeyStore.STORE_FILE)), StandardCharsets.ISO_8859_1);
  }

  static Path rootKeyFile(Path dir) {
    return dir.resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE);
  }

  static RootKeySource.KeyFile keyFile(Path dir) {
    return new RootKeySource.KeyFile(rootKeyFile(dir));
  }

  static RootKeySource.Passphrase passphrase(String text) {
    return new RootKeySource.Passphrase(text.toCharArray());
  }

  /** A new store in {@code dir} with a new root key file {@code dir/root.key}. */
  static FileKeyStore createWithKeyFile(Path dir) {
    return FileKeyStore.create(dir, ACCOUNT, REGIONS, keyFile(dir));
  }

  static FileKeyStore createWithPassphrase(Path dir, String passphrase) {
    return FileKeyStore.create(dir, ACCOUNT, REGIONS, passphrase(passphrase), FAST_KDF);
  }

  static FileKeyStore openWithKeyFile(Path dir, FileKeyStore.Mode mode) {
    return FileKeyStore.open(dir, keyFile(dir), mode);
  }

  static KmsEngine engine(KeyStore store, MutableClock clock) {
    return engine(store, clock, STORE_TIMEOUT);
  }

  static KmsEngine engine(KeyStore store, MutableClock clock, Duration storeTimeout) {
    return EngineFixture.engine(store, clock, storeTimeout);
  }

  static MutableClock clock() {
    return MutableClock.startingAt("2026-01-01T00:00:00Z");
  }

  static Caller root() {
    return EngineFixture.root();
  }

  static Caller root(Region region) {
    return EngineFixture.root(region);
  }

  static byte[] encrypt(KmsEngine engine, String keyId, String plaintext) {
    return EngineFixture.encrypt(engine, keyId, plaintext, Map.of("purpose", "test"));
  }

  static String decrypt(KmsEngine engine, byte[] blob) {
    return new String(
        engine
            .decrypt(
                root(),
                DecryptRequest.builder()
                    .ciphertextBlob(blob)
                    .encryptionContext(Map.of("purpose", "test"))
                    .build())
            .plaintext(),
        StandardCharsets.UTF_8);
  }

  /** Temporary files a writer left next to the store file. */
  static List<Path> leftovers(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s =
        Files.newDirectoryStream(dir, FileKeyStore.STORE_FILE + ".tmp-*")) {
      s.forEach(out::add);
    }
    return out;
  }
}
