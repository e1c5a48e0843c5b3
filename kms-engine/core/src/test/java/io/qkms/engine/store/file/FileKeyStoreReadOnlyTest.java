package io.qkms.engine.store.file;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.errors.AccessDeniedException;
import io.qkms.engine.api.errors.DisabledException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.internal.store.ReadOnlyStoreException;
import io.qkms.engine.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline worker opens the store read-only; an administrator changes keys through another
 * (read-write) opening. The worker's engine sees each change at most one cache TTL later.
 */
class FileKeyStoreReadOnlyTest {
  private static final Duration PAST_TTL = FileStores.CACHE_TTL.plusSeconds(1);

  @TempDir Path dir;
  private FileKeyStore adminStore;
  private KmsEngine admin;
  private FileKeyStore workerStore;
  private KmsEngine worker;
  private final MutableClock workerClock = FileStores.clock();

  @BeforeEach
  void open() {
    adminStore = FileStores.createWithKeyFile(dir);
    admin = FileStores.engine(adminStore, FileStores.clock());
    workerStore = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY);
    worker = FileStores.engine(workerStore, workerClock);
  }

  @AfterEach
  void close() {
    worker.close();
    workerStore.close();
    admin.close();
    adminStore.close();
  }

  @Test
  void adminDisablesAKey_workerRefusesItAfterOneCacheTtl() {
    KeyMetadata key = newKey();
    FileStores.encrypt(worker, key.keyId(), "cached now");
    admin.disableKey(FileStores.root(), new DisableKeyRequest(key.keyId()));

    workerClock.advance(PAST_TTL);

    DisabledException e =
        assertThrows(DisabledException.class, () -> FileStores.encrypt(worker, key.keyId(), "x"));
    assertThat(e.getMessage(), equalTo(key.arn() + " is disabled."));
  }

  @Test
  void adminDisablesAKey_workerKeepsItsCachedCopyWithinTheTtl() {
    KeyMetadata key = newKey();
    FileStores.encrypt(worker, key.keyId(), "cached now");
    admin.disableKey(FileStores.root(), new DisableKeyRequest(key.keyId()));

    workerClock.advance(FileStores.CACHE_TTL.minusSeconds(1));

    byte[] blob = FileStores.encrypt(worker, key.keyId(), "still cached");
    assertThat(FileStores.decrypt(worker, blob), equalTo("still cached"));
  }

  @Test
  void adminRotatesAKey_workerDecryptsUnderTheNewMaterialAfterOneCacheTtl() {
    KeyMetadata key = newKey();
    FileStores.encrypt(worker, key.keyId(), "cached now");
    admin.rotateKeyOnDemand(FileStores.root(), new RotateKeyOnDemandRequest(key.keyId()));
    byte[] blob = FileStores.encrypt(admin, key.keyId(), "under the new material");
    String current =
        admin
            .describeKey(FileStores.root(), new DescribeKeyRequest(key.keyId(), null))
            .keyMetadata()
            .currentKeyMaterialId();

    workerClock.advance(PAST_TTL);

    DecryptResponse r =
        worker.decrypt(
            FileStores.root(),
            DecryptRequest.builder()
                .ciphertextBlob(blob)
                .encryptionContext(Map.of("purpose", "test"))
                .build());
    assertThat(r.keyMaterialId(), equalTo(current));
  }

  @Test
  void adminDeniesEncryptInThePolicy_workerIsDeniedAfterOneCacheTtl() {
    KeyMetadata key = newKey();
    FileStores.encrypt(worker, key.keyId(), "cached now");
    admin.putKeyPolicy(
        FileStores.root(),
        new PutKeyPolicyRequest(
            key.keyId(),
            "default",
            "{\"Version\":\"2012-10-17\",\"Statement\":["
                + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:verenc:111122223333:root\"},"
                + "\"Action\":\"kms:*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},"
                + "\"Action\":\"kms:Encrypt\",\"Resource\":\"*\"}]}",
            null));

    workerClock.advance(PAST_TTL);

    AccessDeniedException e =
        assertThrows(
            AccessDeniedException.class, () -> FileStores.encrypt(worker, key.keyId(), "x"));
    assertThat(
        e.getMessage(),
        equalTo(
            "User: arn:verenc:111122223333:root is not authorized to perform: kms:Encrypt on"
                + " resource: "
                + key.arn()
                + " with an explicit deny in a resource-based policy"));
  }

  @Test
  void adminCreatesAKey_workerFindsItAtOnce() {
    KeyMetadata key = newKey();

    KeyMetadata seen =
        worker
            .describeKey(FileStores.root(), new DescribeKeyRequest(key.keyId(), null))
            .keyMetadata();

    assertThat(seen.arn(), equalTo(key.arn()));
  }

  @Test
  void readOnlyStore_readsTheAdminsLatestRevisionAtOnce() {
    newKey();
    newKey();

    assertThat(workerStore.read(Duration.ofSeconds(1)).revision(), equalTo(2L));
  }

  @Test
  void workerEngine_createKey_isUnsupportedOperation() {
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> worker.createKey(FileStores.root(), CreateKeyRequest.builder().build()));

    assertThat(
        e.getMessage(),
        equalTo("This QKMS engine opened its key store read-only and cannot change keys"));
  }

  @Test
  void readOnlyStore_update_isRefused() {
    ReadOnlyStoreException e =
        assertThrows(
            ReadOnlyStoreException.class,
            () -> workerStore.update(Duration.ofSeconds(1), s -> s.withRevision(9)));

    assertThat(e.getMessage(), equalTo("The key store is open read-only"));
    assertThat(workerStore.isReadOnly(), equalTo(true));
  }

  private KeyMetadata newKey() {
    return admin.createKey(FileStores.root(), CreateKeyRequest.builder().build()).keyMetadata();
  }
}
