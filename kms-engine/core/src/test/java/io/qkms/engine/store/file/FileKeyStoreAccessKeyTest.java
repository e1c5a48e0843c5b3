package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.internal.store.AccessKeyRecord;
import io.qkms.engine.internal.store.StoreState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access keys survive the store file: written, reopened, read back, removed. */
class FileKeyStoreAccessKeyTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00.123Z");
  private static final byte[] SECRET =
      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  @Test
  void accessKey_survivesReopen_withItsWrappedSecret() {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      byte[] wrapped = store.materialProtector().wrapCredential("AKIAA", SECRET);
      store.update(
          FileStores.STORE_TIMEOUT,
          s ->
              s.withAccessKey(
                  new AccessKeyRecord(
                      "AKIAA", "arn:verenc:111122223333:user/alice", wrapped, CREATED)));
    }

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      StoreState s = store.read(FileStores.STORE_TIMEOUT);
      AccessKeyRecord k = s.accessKey("AKIAA");
      assertThat(k.principalArn(), equalTo("arn:verenc:111122223333:user/alice"));
      assertThat(k.createDate(), equalTo(CREATED));
      assertThat(
          store.materialProtector().unwrapCredential("AKIAA", k.wrappedSecret()), equalTo(SECRET));
    }
  }

  @Test
  void deletedAccessKey_isGoneAfterReopen() {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      byte[] a = store.materialProtector().wrapCredential("AKIAA", SECRET);
      byte[] b = store.materialProtector().wrapCredential("AKIAB", SECRET);
      store.update(
          FileStores.STORE_TIMEOUT,
          s ->
              s.withAccessKey(
                      new AccessKeyRecord("AKIAA", "arn:verenc:111122223333:root", a, CREATED))
                  .withAccessKey(
                      new AccessKeyRecord("AKIAB", "arn:verenc:111122223333:root", b, CREATED)));
      store.update(FileStores.STORE_TIMEOUT, s -> s.withoutAccessKey("AKIAA"));
    }

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      StoreState s = store.read(FileStores.STORE_TIMEOUT);
      assertThat(s.accessKey("AKIAA"), nullValue());
      assertThat(
          s.accessKeys().stream().map(AccessKeyRecord::accessKeyId).toList(), contains("AKIAB"));
    }
  }

  @Test
  void storeFile_neverHoldsTheSecretInClear() throws IOException {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      byte[] wrapped = store.materialProtector().wrapCredential("AKIAA", SECRET);
      store.update(
          FileStores.STORE_TIMEOUT,
          s ->
              s.withAccessKey(
                  new AccessKeyRecord("AKIAA", "arn:verenc:111122223333:root", wrapped, CREATED)));
    }

    String file =
        new String(Files.readAllBytes(dir.resolve("store.qks")), StandardCharsets.ISO_8859_1);
    assertThat(file.contains("wJalrXUtnFEMI"), equalTo(false));
    assertThat(file.contains("AKIAA"), equalTo(false)); // the whole state is encrypted
  }
}
