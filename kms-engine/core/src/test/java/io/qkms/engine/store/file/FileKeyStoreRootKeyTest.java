package io.qkms.engine.store.file;

import static io.qkms.engine.store.file.FileStores.assertOpenFails;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.NOT_FOUND;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.ROOT_KEY_UNAVAILABLE;
import static io.qkms.engine.store.file.KeyStoreOpenException.Problem.WRONG_ROOT_KEY;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening with the wrong secret, or none: a precise problem, a clear message, no secret in it. */
class FileKeyStoreRootKeyTest {
  @TempDir Path dir;

  @Test
  void open_wrongRootKeyFile_isWrongRootKey(@TempDir Path other) throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] wrongKey = new byte[32];
    wrongKey[31] = 1;
    Path wrong = other.resolve("other.key");
    Files.write(wrong, wrongKey);

    KeyStoreOpenException e =
        assertOpenFails(
            WRONG_ROOT_KEY,
            "The root key "
                + wrong
                + " does not open the key store in "
                + dir
                + " (or the store's header was modified)",
            () ->
                FileKeyStore.open(
                    dir, new RootKeySource.KeyFile(wrong), FileKeyStore.Mode.READ_WRITE));
    assertNoKeyIn(e.getMessage(), wrongKey);
    assertNoKeyIn(e.getMessage(), Files.readAllBytes(FileStores.rootKeyFile(dir)));
  }

  @Test
  void open_wrongPassphrase_isWrongRootKeyAndDoesNotQuoteIt() {
    FileStores.createWithPassphrase(dir, "the right one").close();

    KeyStoreOpenException e =
        assertOpenFails(
            WRONG_ROOT_KEY,
            "The passphrase does not open the key store in "
                + dir
                + " (or the store's header was modified)",
            () ->
                FileKeyStore.open(
                    dir, FileStores.passphrase("the wrong one"), FileKeyStore.Mode.READ_WRITE));
    assertThat(e.getMessage(), not(containsString("wrong one")));
  }

  @Test
  void open_missingRootKeyFile_isRootKeyUnavailable() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    Files.delete(FileStores.rootKeyFile(dir));

    assertOpenFails(
        ROOT_KEY_UNAVAILABLE,
        "Root key file "
            + FileStores.rootKeyFile(dir)
            + " not found (set QKMS_ROOT_KEY_FILE if the root key is kept elsewhere)",
        () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void open_rootKeyFileOfTheWrongLength_isRootKeyUnavailable() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    Files.write(FileStores.rootKeyFile(dir), new byte[31]);

    assertOpenFails(
        ROOT_KEY_UNAVAILABLE,
        "Root key file " + FileStores.rootKeyFile(dir) + " does not hold a 32-byte root key",
        () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void open_passphraseForAKeyFileStore_isRootKeyUnavailable() {
    FileStores.createWithKeyFile(dir).close();

    KeyStoreOpenException e =
        assertOpenFails(
            ROOT_KEY_UNAVAILABLE,
            "The key store in "
                + dir
                + " uses a root key file, not a passphrase: unset QKMS_PASSPHRASE and give the root"
                + " key file (default "
                + FileStores.rootKeyFile(dir)
                + ", or QKMS_ROOT_KEY_FILE)",
            () ->
                FileKeyStore.open(
                    dir, FileStores.passphrase("some passphrase"), FileKeyStore.Mode.READ_ONLY));
    assertThat(e.getMessage(), not(containsString("some passphrase")));
  }

  @Test
  void open_keyFileForAPassphraseStore_isRootKeyUnavailable() {
    FileStores.createWithPassphrase(dir, "pass phrase").close();

    assertOpenFails(
        ROOT_KEY_UNAVAILABLE,
        "The key store in " + dir + " is protected by a passphrase: set QKMS_PASSPHRASE",
        () -> FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void open_noStoreInTheDirectory_isNotFound() {
    Path nowhere = dir.resolve("nowhere");

    assertOpenFails(
        NOT_FOUND,
        "No QKMS key store in " + nowhere + " (run `qkms init --keystore " + nowhere + "` first)",
        () -> FileStores.openWithKeyFile(nowhere, FileKeyStore.Mode.READ_ONLY));
  }

  @Test
  void open_wrongRootKey_leavesTheStoreFileUntouched(@TempDir Path other) throws IOException {
    FileStores.createWithKeyFile(dir).close();
    Path storeFile = dir.resolve(FileKeyStore.STORE_FILE);
    byte[] before = Files.readAllBytes(storeFile);
    var mtime = Files.getLastModifiedTime(storeFile);
    Path wrong = other.resolve("other.key");
    Files.write(wrong, new byte[32]);

    assertThrows(
        KeyStoreOpenException.class,
        () ->
            FileKeyStore.open(dir, new RootKeySource.KeyFile(wrong), FileKeyStore.Mode.READ_WRITE));

    assertThat(Files.readAllBytes(storeFile), equalTo(before));
    assertThat(Files.getLastModifiedTime(storeFile), equalTo(mtime));
  }

  @Test
  void fromEnvironment_rootKeyFileVariable_winsOverPassphrase() {
    assertThat(
        RootKeySource.fromEnvironment(
            dir, Map.of("QKMS_ROOT_KEY_FILE", "/keys/r.key", "QKMS_PASSPHRASE", "p")),
        equalTo(new RootKeySource.KeyFile(Path.of("/keys/r.key"))));
  }

  @Test
  void fromEnvironment_passphraseVariable_isAPassphrase() {
    assertThat(
        RootKeySource.fromEnvironment(dir, Map.of("QKMS_PASSPHRASE", "p")),
        instanceOf(RootKeySource.Passphrase.class));
  }

  @Test
  void fromEnvironment_nothingSet_isTheRootKeyFileInTheStore() {
    assertThat(
        RootKeySource.fromEnvironment(dir, Map.of()),
        equalTo(new RootKeySource.KeyFile(dir.resolve("root.key"))));
  }

  @Test
  void passphrase_toString_hidesIt() {
    assertThat(FileStores.passphrase("hunter2").toString(), equalTo("Passphrase[hidden]"));
  }

  private static void assertNoKeyIn(String message, byte[] key) {
    assertThat(message, not(containsString(HexFormat.of().formatHex(key))));
    assertThat(message, not(containsString(Base64.getEncoder().encodeToString(key))));
  }
}
