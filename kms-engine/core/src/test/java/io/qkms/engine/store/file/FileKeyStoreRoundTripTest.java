package io.qkms.engine.store.file;

import static io.qkms.engine.store.file.FileStores.ACCOUNT;
import static io.qkms.engine.store.file.FileStores.EU_WEST_1;
import static io.qkms.engine.store.file.FileStores.REGIONS;
import static io.qkms.engine.store.file.FileStores.US_EAST_1;
import static io.qkms.engine.store.file.FileStores.root;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.model.CreateAliasRequest;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DescribeKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRotationRequest;
import io.qkms.engine.api.model.GetKeyPolicyRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusRequest;
import io.qkms.engine.api.model.GrantConstraints;
import io.qkms.engine.api.model.GrantListEntry;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ListAliasesRequest;
import io.qkms.engine.api.model.ListGrantsRequest;
import io.qkms.engine.api.model.ListKeyRotationsRequest;
import io.qkms.engine.api.model.PutKeyPolicyRequest;
import io.qkms.engine.api.model.ReplicateKeyRequest;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.api.model.RotationsListEntry;
import io.qkms.engine.api.model.ScheduleKeyDeletionRequest;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKeyStoreRoundTripTest {
  private static final String POLICY =
      "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"OnlyRoot\",\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:verenc:111122223333:root\"},\"Action\":\"kms:*\","
          + "\"Resource\":\"*\"}]}";

  @TempDir Path dir;

  @Test
  void create_withNewKeyFile_writesA32ByteOwnerOnlyRootKey() throws IOException {
    FileStores.createWithKeyFile(dir).close();

    Path key = FileStores.rootKeyFile(dir);
    assertThat(Files.size(key), equalTo(32L));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), equalTo("rw-------"));
  }

  @Test
  void create_storeFile_isOwnerOnly() throws IOException {
    FileStores.createWithKeyFile(dir).close();

    assertThat(
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve(FileKeyStore.STORE_FILE))),
        equalTo("rw-------"));
  }

  @Test
  void create_thenOpen_withKeyFile_hasTheAccountAndRegions() {
    FileStores.createWithKeyFile(dir).close();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE)) {
      StoreState s = store.read(Duration.ofSeconds(1));
      assertThat(s.account(), equalTo(ACCOUNT));
      assertThat(s.regions(), equalTo(REGIONS));
      assertThat(s.revision(), equalTo(0L));
      assertThat(store.isPassphraseProtected(), is(false));
    }
  }

  @Test
  void create_thenOpen_withPassphrase_hasTheAccountAndRegions() {
    FileStores.createWithPassphrase(dir, "correct horse battery staple").close();

    try (FileKeyStore store =
        FileKeyStore.open(
            dir,
            FileStores.passphrase("correct horse battery staple"),
            FileKeyStore.Mode.READ_WRITE)) {
      assertThat(store.read(Duration.ofSeconds(1)).regions(), equalTo(REGIONS));
      assertThat(store.isPassphraseProtected(), is(true));
    }
    assertThat(Files.exists(FileStores.rootKeyFile(dir)), is(false));
  }

  @Test
  void create_withRecommendedKdf_opensWithThePassphrase() {
    // The default Argon2id cost (64 MiB, 3 passes): a real store as `qkms init` makes it.
    FileKeyStore.create(dir, ACCOUNT, REGIONS, FileStores.passphrase("pass phrase")).close();

    try (FileKeyStore store =
        FileKeyStore.open(dir, FileStores.passphrase("pass phrase"), FileKeyStore.Mode.READ_ONLY)) {
      assertThat(store.read(Duration.ofSeconds(1)).account(), equalTo(ACCOUNT));
    }
  }

  @Test
  void create_withExistingRootKeyFile_usesThatKey() throws IOException {
    byte[] key = new byte[32];
    key[0] = 7;
    Files.write(FileStores.rootKeyFile(dir), key);

    FileStores.createWithKeyFile(dir).close();

    assertThat(Files.readAllBytes(FileStores.rootKeyFile(dir)), equalTo(key));
    FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY).close();
  }

  @Test
  void create_rootKeyFileOutsideTheStore_createsItThere(@TempDir Path elsewhere) {
    Path keyFile = elsewhere.resolve("secrets/qkms-root.key");

    FileKeyStore.create(dir, ACCOUNT, REGIONS, new RootKeySource.KeyFile(keyFile)).close();

    assertThat(Files.exists(keyFile), is(true));
    assertThat(Files.exists(FileStores.rootKeyFile(dir)), is(false));
    FileKeyStore.open(dir, new RootKeySource.KeyFile(keyFile), FileKeyStore.Mode.READ_ONLY).close();
  }

  @Test
  void open_rootKeyFileInHex_opens() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] raw = Files.readAllBytes(FileStores.rootKeyFile(dir));
    Path hexFile = dir.resolve("root.hex");
    Files.writeString(hexFile, HexFormat.of().formatHex(raw) + "\n");

    try (FileKeyStore store =
        FileKeyStore.open(dir, new RootKeySource.KeyFile(hexFile), FileKeyStore.Mode.READ_ONLY)) {
      assertThat(store.read(Duration.ofSeconds(1)).account(), equalTo(ACCOUNT));
    }
  }

  @Test
  void create_whereAStoreExists_isAlreadyExistsAndLeavesTheStoreAlone() throws IOException {
    FileStores.createWithKeyFile(dir).close();
    byte[] before = Files.readAllBytes(dir.resolve(FileKeyStore.STORE_FILE));
    byte[] keyBefore = Files.readAllBytes(FileStores.rootKeyFile(dir));

    KeyStoreOpenException e =
        assertThrows(KeyStoreOpenException.class, () -> FileStores.createWithKeyFile(dir));

    assertThat(e.problem(), equalTo(KeyStoreOpenException.Problem.ALREADY_EXISTS));
    assertThat(
        e.getMessage(),
        equalTo("A key store already exists in " + dir + "; QKMS will not overwrite it"));
    assertThat(Files.readAllBytes(dir.resolve(FileKeyStore.STORE_FILE)), equalTo(before));
    assertThat(Files.readAllBytes(FileStores.rootKeyFile(dir)), equalTo(keyBefore));
  }

  @Test
  void open_fileWrittenBeforeCompression_opensAndIsDeflatedOnTheNextWrite() throws IOException {
    Made made = populate();
    Path file = dir.resolve(FileKeyStore.STORE_FILE);
    byte[] rootKey = Files.readAllBytes(FileStores.rootKeyFile(dir));
    StoreFile.Parsed current = StoreFile.parse(Files.readAllBytes(file), "test");
    try (RootKeys keys = RootKeys.derive(rootKey, current.header().storeId())) {
      Files.write(
          file,
          StoreFile.encode(
              current.header(), keys, StateCodec.encode(made.state()), /* deflate= */ false));
    }

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE)) {
      assertThat(
          StateCodec.encode(store.read(Duration.ofSeconds(1))),
          equalTo(StateCodec.encode(made.state())));
      store.update(Duration.ofSeconds(1), s -> s.withRevision(-1));
    }
    assertThat(StoreFile.parse(Files.readAllBytes(file), "test").deflated(), is(true));
  }

  // ---- Engine state survives close and reopen ---------------------------------------------

  /** What {@link #populate} made, to check after reopening. */
  private record Made(
      KeyMetadata main,
      KeyMetadata disabled,
      KeyMetadata pendingDeletion,
      KeyMetadata multiRegion,
      byte[] blobBeforeRotation,
      byte[] blobAfterRotation,
      String grantId,
      StoreState state) {}

  private Made populate() {
    MutableClock clock = FileStores.clock();
    try (FileKeyStore store = FileStores.createWithKeyFile(dir);
        KmsEngine engine = FileStores.engine(store, clock)) {
      KeyMetadata main =
          engine
              .createKey(root(), CreateKeyRequest.builder().description("payroll key").build())
              .keyMetadata();
      byte[] before = FileStores.encrypt(engine, main.keyId(), "before rotation");
      engine.rotateKeyOnDemand(root(), new RotateKeyOnDemandRequest(main.keyId()));
      byte[] after = FileStores.encrypt(engine, main.keyId(), "after rotation");
      engine.enableKeyRotation(root(), new EnableKeyRotationRequest(main.keyId(), 90));
      engine.createAlias(root(), new CreateAliasRequest("alias/payroll", main.keyId()));
      String grantId =
          engine
              .createGrant(
                  root(),
                  CreateGrantRequest.builder()
                      .keyId(main.keyId())
                      .granteePrincipal("arn:verenc:111122223333:role/rekey")
                      .operations(List.of("ReEncryptFrom", "ReEncryptTo"))
                      .constraints(new GrantConstraints(Map.of("dept", "finance"), null))
                      .name("rekey-job")
                      .build())
              .grantId();
      engine.putKeyPolicy(root(), new PutKeyPolicyRequest(main.keyId(), "default", POLICY, null));

      KeyMetadata disabled =
          engine.createKey(root(), CreateKeyRequest.builder().build()).keyMetadata();
      engine.disableKey(root(), new DisableKeyRequest(disabled.keyId()));
      KeyMetadata pending =
          engine.createKey(root(), CreateKeyRequest.builder().build()).keyMetadata();
      engine.scheduleKeyDeletion(root(), new ScheduleKeyDeletionRequest(pending.keyId(), 7));
      KeyMetadata mrk =
          engine
              .createKey(root(), CreateKeyRequest.builder().multiRegion(true).build())
              .keyMetadata();
      engine.replicateKey(
          root(), new ReplicateKeyRequest(mrk.keyId(), "eu-west-1", null, null, null, null));
      return new Made(
          main, disabled, pending, mrk, before, after, grantId, store.read(Duration.ofSeconds(1)));
    }
  }

  private KmsEngine reopenedEngine(FileKeyStore store) {
    return FileStores.engine(store, FileStores.clock());
  }

  @Test
  void reopen_holdsExactlyTheStateThatWasCommitted() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_ONLY)) {
      StoreState s = store.read(Duration.ofSeconds(1));
      assertThat(s.revision(), equalTo(made.state().revision()));
      assertThat(StateCodec.encode(s), equalTo(StateCodec.encode(made.state())));
    }
  }

  @Test
  void reopen_ciphertextsUnderOldAndNewMaterialsStillDecrypt() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      assertThat(FileStores.decrypt(engine, made.blobBeforeRotation()), equalTo("before rotation"));
      assertThat(FileStores.decrypt(engine, made.blobAfterRotation()), equalTo("after rotation"));
    }
  }

  @Test
  void reopen_keyMetadataAndStates() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      KeyMetadata main =
          engine
              .describeKey(root(), new DescribeKeyRequest(made.main().keyId(), null))
              .keyMetadata();
      assertThat(main.description(), equalTo("payroll key"));
      assertThat(main.creationDate(), equalTo(made.main().creationDate()));
      assertThat(main.keyState(), equalTo("Enabled"));
      assertThat(describe(engine, made.disabled()).keyState(), equalTo("Disabled"));
      KeyMetadata pending = describe(engine, made.pendingDeletion());
      assertThat(pending.keyState(), equalTo("PendingDeletion"));
      assertThat(pending.pendingDeletionWindowInDays(), equalTo(7));
      assertThat(
          pending.deletionDate(), equalTo(FileStores.clock().instant().plus(Duration.ofDays(7))));
    }
  }

  @Test
  void reopen_multiRegionReplicaIsInItsRegion() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      KeyMetadata replica =
          engine
              .describeKey(
                  FileStores.root(EU_WEST_1),
                  new DescribeKeyRequest(made.multiRegion().keyId(), null))
              .keyMetadata();
      assertThat(replica.multiRegionConfiguration().multiRegionKeyType(), equalTo("REPLICA"));
      assertThat(
          replica.multiRegionConfiguration().primaryKey().region(), equalTo(US_EAST_1.name()));
    }
  }

  @Test
  void reopen_aliasesPointAtTheirKeys() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      var aliases = engine.listAliases(root(), new ListAliasesRequest(null, null, null)).aliases();
      assertThat(aliases, hasSize(1));
      assertThat(aliases.get(0).aliasName(), equalTo("alias/payroll"));
      assertThat(aliases.get(0).targetKeyId(), equalTo(made.main().keyId()));
      assertThat(describe(engine, "alias/payroll").keyId(), equalTo(made.main().keyId()));
    }
  }

  @Test
  void reopen_grantsKeepTheirOperationsAndConstraints() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      List<GrantListEntry> grants =
          engine
              .listGrants(
                  root(), new ListGrantsRequest(made.main().keyId(), null, null, null, null))
              .grants();
      assertThat(grants, hasSize(1));
      GrantListEntry g = grants.get(0);
      assertThat(g.grantId(), equalTo(made.grantId()));
      assertThat(g.name(), equalTo("rekey-job"));
      assertThat(g.granteePrincipal(), equalTo("arn:verenc:111122223333:role/rekey"));
      assertThat(g.operations(), contains("ReEncryptFrom", "ReEncryptTo"));
      assertThat(g.constraints().encryptionContextSubset(), equalTo(Map.of("dept", "finance")));
    }
  }

  @Test
  void reopen_rotationsAndScheduleAreKept() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      List<RotationsListEntry> rotations =
          engine
              .listKeyRotations(
                  root(), new ListKeyRotationsRequest(made.main().keyId(), null, null, null))
              .rotations();
      assertThat(
          rotations.stream().map(RotationsListEntry::rotationType).toList(), contains("ON_DEMAND"));
      var status =
          engine.getKeyRotationStatus(root(), new GetKeyRotationStatusRequest(made.main().keyId()));
      assertThat(status.keyRotationEnabled(), is(true));
      assertThat(status.rotationPeriodInDays(), equalTo(90));
      assertThat(
          status.nextRotationDate(),
          equalTo(FileStores.clock().instant().plus(Duration.ofDays(90))));
    }
  }

  @Test
  void reopen_keyPolicyIsKept() {
    Made made = populate();

    try (FileKeyStore store = FileStores.openWithKeyFile(dir, FileKeyStore.Mode.READ_WRITE);
        KmsEngine engine = reopenedEngine(store)) {
      assertThat(
          engine
              .getKeyPolicy(root(), new GetKeyPolicyRequest(made.main().keyId(), "default"))
              .policy(),
          equalTo(POLICY));
    }
  }

  @Test
  void storeFile_revealsNoDescriptionAliasPolicyOrGranteeText() throws IOException {
    populate();

    String state = FileStores.decryptedState(dir);
    String file = FileStores.rawFile(dir);
    for (String secretish : List.of("payroll", "OnlyRoot", "rekey", "finance", "DISABLED")) {
      // The state holds each in clear, so a search would find it; the file on disk does not.
      assertThat(state, containsString(secretish));
      assertThat(file, not(containsString(secretish)));
    }
  }

  private static KeyMetadata describe(KmsEngine engine, KeyMetadata key) {
    return describe(engine, key.keyId());
  }

  private static KeyMetadata describe(KmsEngine engine, String keyId) {
    return engine.describeKey(root(), new DescribeKeyRequest(keyId, null)).keyMetadata();
  }
}
