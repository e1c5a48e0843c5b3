package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.internal.store.AccessKeyRecord;
import io.qkms.engine.internal.store.StoreState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
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
    storeOneAccessKey("arn:verenc:111122223333:user/alice");

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
  void storeFile_neverHoldsTheSecretInClear_notEvenOnceDecrypted() throws IOException {
    storeOneAccessKey("arn:verenc:111122223333:root");
    String secret = new String(SECRET, StandardCharsets.US_ASCII);

    String state = FileStores.decryptedState(dir);
    assertThat(state, containsString("AKIAA")); // the access key is there, in clear...
    assertThat(state, not(containsString(secret))); // ...its secret only wrapped
    assertThat(state, not(containsString(Base64.getEncoder().encodeToString(SECRET))));
    String file = FileStores.rawFile(dir);
    assertThat(file, not(containsString("AKIAA"))); // and the whole state is encrypted
    assertThat(file, not(containsString(secret)));
  }

  /** A new store in {@link #dir} holding access key AKIAA of {@code principalArn}, closed again. */
  private void storeOneAccessKey(String principalArn) {
    try (FileKeyStore store = FileStores.createWithKeyFile(dir)) {
      byte[] wrapped = store.materialProtector().wrapCredential("AKIAA", SECRET);
      store.update(
          FileStores.STORE_TIMEOUT,
          s -> s.withAccessKey(new AccessKeyRecord("AKIAA", principalArn, wrapped, CREATED)));
    }
  }
}
