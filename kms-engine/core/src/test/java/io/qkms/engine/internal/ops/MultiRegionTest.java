package io.qkms.engine.internal.ops;

import static io.qkms.engine.internal.ops.Calls.ROOT;
import static io.qkms.engine.internal.ops.Calls.ROOT_EU;
import static io.qkms.engine.internal.ops.Calls.assertDisabled;
import static io.qkms.engine.internal.ops.Calls.assertKeyDoesNotExist;
import static io.qkms.engine.internal.ops.Calls.assertKmsError;
import static io.qkms.engine.internal.ops.Calls.ctx;
import static io.qkms.engine.internal.ops.Calls.decrypt;
import static io.qkms.engine.internal.ops.Calls.describe;
import static io.qkms.engine.internal.ops.Calls.encrypt;
import static io.qkms.engine.internal.ops.Calls.materialOf;
import static io.qkms.engine.internal.ops.Calls.scheduleDeletion;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.errors.AlreadyExistsException;
import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.errors.InvalidCiphertextException;
import io.qkms.engine.api.errors.KMSInvalidStateException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DisableKeyRequest;
import io.qkms.engine.api.model.EnableKeyRotationRequest;
import io.qkms.engine.api.model.GetKeyPolicyRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusRequest;
import io.qkms.engine.api.model.GetKeyRotationStatusResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.MultiRegionConfiguration;
import io.qkms.engine.api.model.MultiRegionKey;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.ReplicateKeyResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.internal.auth.KeyPolicy;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Multi-region keys: mrk- primaries, replicas with the same key ID, cross-region ReEncrypt. */
class MultiRegionTest {
  private static final Map<String, String> CTX = ctx("dataset", "orders");

  @RegisterExtension final EngineFixture f = new EngineFixture();

  private ReplicateKeyResponse replicate(String keyId) {
    return Calls.replicate(f.engine, ROOT, keyId, "eu-west-1");
  }

  /**
   * The multi-Region configuration of key {@code m}, a primary in us-east-1 with replicas there.
   */
  private static MultiRegionConfiguration configuration(
      String keyType, KeyMetadata m, String... replicaRegions) {
    return new MultiRegionConfiguration(
        keyType,
        new MultiRegionKey(m.arn(), "us-east-1"),
        Arrays.stream(replicaRegions).map(r -> new MultiRegionKey(m.arn(), r)).toList());
  }

  private KeyMetadata euKey() {
    return Calls.create(f.engine, ROOT_EU, CreateKeyRequest.builder().build());
  }

  @Test
  void createKey_multiRegion_isAPrimaryInTheCallersRegionWithoutReplicas() {
    KeyMetadata m = Calls.multiRegionKey(f);

    assertThat(m.multiRegionConfiguration(), equalTo(configuration("PRIMARY", m)));
  }

  @Test
  void replicateKey_replicaHasTheSameKeyIdAndArnAndIsAnEnabledReplica() {
    KeyMetadata m = Calls.multiRegionKey(f);

    KeyMetadata replica = replicate(m.keyId()).replicaKeyMetadata();

    assertThat(replica.keyId(), equalTo(m.keyId()));
    assertThat(replica.arn(), equalTo(m.arn()));
    assertThat(replica.keyState(), equalTo("Enabled"));
    assertThat(replica.multiRegion(), equalTo(true));
    assertThat(
        replica.multiRegionConfiguration(), equalTo(configuration("REPLICA", m, "eu-west-1")));
  }

  @Test
  void replicateKey_describeInTheReplicaRegion_matchesTheReplicateResponse() {
    KeyMetadata m = Calls.multiRegionKey(f);

    KeyMetadata replica = replicate(m.keyId()).replicaKeyMetadata();

    assertThat(describe(f.engine, ROOT_EU, m.keyId()), equalTo(replica));
  }

  @Test
  void replicateKey_primaryListsTheReplica() {
    KeyMetadata m = Calls.multiRegionKey(f);

    replicate(m.keyId());

    assertThat(
        describe(f.engine, ROOT, m.keyId()).multiRegionConfiguration(),
        equalTo(configuration("PRIMARY", m, "eu-west-1")));
  }

  @Test
  void replicateKey_replicaSharesTheCurrentMaterial() {
    KeyMetadata m = Calls.multiRegionKey(f);

    KeyMetadata replica = replicate(m.keyId()).replicaKeyMetadata();

    assertThat(replica.currentKeyMaterialId(), equalTo(m.currentKeyMaterialId()));
  }

  @Test
  void replicateKey_withoutPolicy_replicaGetsTheDefaultPolicy() {
    KeyMetadata m = Calls.multiRegionKey(f);

    ReplicateKeyResponse r = replicate(m.keyId());

    String stored =
        f.engine.getKeyPolicy(ROOT_EU, new GetKeyPolicyRequest(m.keyId(), null)).policy();
    assertThat(r.replicaPolicy(), equalTo(stored));
    assertThat(stored, equalTo(KeyPolicy.defaultPolicyJson(EngineFixture.ACCOUNT)));
  }

  @Test
  void replica_decryptsInItsRegionWhatThePrimaryEncrypted() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    byte[] blob = encrypt(f.engine, ROOT, m.keyId(), "travels", CTX);

    assertThat(decrypt(f.engine, ROOT_EU, blob, CTX), equalTo("travels"));
  }

  @Test
  void reEncrypt_inReplicaRegion_throughTheReplica_toALocalKey_decryptsThere() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    KeyMetadata local = euKey();
    byte[] blob = encrypt(f.engine, ROOT, m.keyId(), "migrate me", CTX);

    ReEncryptResponse r =
        Calls.reEncrypt(
            f.engine, ROOT_EU, blob, m.arn(), CTX, local.keyId(), ctx("dataset", "orders-eu"));

    assertThat(r.sourceKeyId(), equalTo(m.arn()));
    assertThat(r.keyId(), equalTo(local.arn()));
    assertThat(r.sourceKeyMaterialId(), equalTo(m.currentKeyMaterialId()));
    assertThat(r.destinationKeyMaterialId(), equalTo(local.currentKeyMaterialId()));
    assertThat(
        decrypt(f.engine, ROOT_EU, r.ciphertextBlob(), ctx("dataset", "orders-eu")),
        equalTo("migrate me"));
  }

  @Test
  void reEncrypt_inReplicaRegion_withoutSourceKeyId_findsTheReplicaFromTheBlob() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    KeyMetadata local = euKey();
    byte[] blob = encrypt(f.engine, ROOT, m.keyId(), "migrate me", CTX);

    ReEncryptResponse r = Calls.reEncrypt(f.engine, ROOT_EU, blob, null, CTX, local.keyId(), null);

    assertThat(r.sourceKeyId(), equalTo(m.arn()));
    assertThat(decrypt(f.engine, ROOT_EU, r.ciphertextBlob(), null), equalTo("migrate me"));
  }

  @Test
  void reEncrypt_inAnotherRegion_singleRegionKeysCiphertext_isRefused() {
    KeyMetadata single = f.symmetricKey();
    KeyMetadata local = euKey();
    byte[] blob = encrypt(f.engine, ROOT, single.keyId(), "stays home", CTX);

    assertKeyDoesNotExist(
        single,
        () -> Calls.reEncrypt(f.engine, ROOT_EU, blob, single.arn(), CTX, local.keyId(), null));
    // Without SourceKeyId the blob names a key this region lacks: a foreign blob.
    assertThrows(
        InvalidCiphertextException.class,
        () -> Calls.reEncrypt(f.engine, ROOT_EU, blob, null, CTX, local.keyId(), null));
  }

  @Test
  void reEncrypt_inAnotherRegion_unreplicatedMultiRegionKey_isNotFound() {
    KeyMetadata m = Calls.multiRegionKey(f);
    KeyMetadata local = euKey();
    byte[] blob = encrypt(f.engine, ROOT, m.keyId(), "no replica", CTX);

    assertKeyDoesNotExist(
        m, () -> Calls.reEncrypt(f.engine, ROOT_EU, blob, m.arn(), CTX, local.keyId(), null));
  }

  @Test
  void rotatePrimary_replicaGetsTheNewMaterialAndDecryptsNewPrimaryCiphertexts() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    decrypt(f.engine, ROOT_EU, encrypt(f.engine, ROOT, m.keyId(), "warm", CTX), CTX);

    f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(m.keyId()));
    byte[] fresh = encrypt(f.engine, ROOT, m.keyId(), "after rotation", CTX);

    String newMaterial = describe(f.engine, ROOT, m.keyId()).currentKeyMaterialId();
    assertThat(newMaterial, not(equalTo(m.currentKeyMaterialId())));
    assertThat(describe(f.engine, ROOT_EU, m.keyId()).currentKeyMaterialId(), equalTo(newMaterial));
    assertThat(decrypt(f.engine, ROOT_EU, fresh, CTX), equalTo("after rotation"));
    assertThat(materialOf(f.engine, ROOT_EU, fresh, CTX), equalTo(newMaterial));
  }

  @Test
  void automaticRotationOfPrimary_reachesTheReplica() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    f.engine.enableKeyRotation(ROOT, new EnableKeyRotationRequest(m.keyId(), 90));

    f.clock.advance(Duration.ofDays(90));

    String primaryNow = describe(f.engine, ROOT, m.keyId()).currentKeyMaterialId();
    assertThat(primaryNow, not(equalTo(m.currentKeyMaterialId())));
    assertThat(describe(f.engine, ROOT_EU, m.keyId()).currentKeyMaterialId(), equalTo(primaryNow));
  }

  @Test
  void enableKeyRotationOnThePrimary_replicaReportsTheSameSchedule() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());

    f.engine.enableKeyRotation(ROOT, new EnableKeyRotationRequest(m.keyId(), 180));

    GetKeyRotationStatusResponse replica =
        f.engine.getKeyRotationStatus(ROOT_EU, new GetKeyRotationStatusRequest(m.keyId()));
    assertThat(replica.keyRotationEnabled(), equalTo(true));
    assertThat(replica.rotationPeriodInDays(), equalTo(180));
    assertThat(
        replica.nextRotationDate(),
        equalTo(
            f.engine
                .getKeyRotationStatus(ROOT, new GetKeyRotationStatusRequest(m.keyId()))
                .nextRotationDate()));
  }

  @Test
  void replica_ownStateIsIndependentOfThePrimary() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());

    f.engine.disableKey(ROOT_EU, new DisableKeyRequest(m.keyId()));

    byte[] blob = encrypt(f.engine, ROOT, m.keyId(), "primary still works", CTX);
    assertThat(decrypt(f.engine, ROOT, blob, CTX), equalTo("primary still works"));
    assertDisabled(m, () -> encrypt(f.engine, ROOT_EU, m.keyId(), "replica is off", CTX));
  }

  @Test
  void replicateKey_singleRegionKey_isUnsupported() {
    KeyMetadata single = f.symmetricKey();

    assertKmsError(
        UnsupportedOperationException.class,
        single.arn() + " is not a multi-Region key.",
        () -> replicate(single.keyId()));
  }

  @Test
  void replicateKey_replicaAsSource_isUnsupported() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());

    assertKmsError(
        UnsupportedOperationException.class,
        m.arn() + " is a replica key; replicate its primary key.",
        () -> Calls.replicate(f.engine, ROOT_EU, m.keyId(), "us-east-1"));
  }

  @Test
  void replicateKey_replicaAlreadyInThatRegion_isAlreadyExists() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());

    assertKmsError(
        AlreadyExistsException.class,
        m.arn() + " already has a replica in region eu-west-1.",
        () -> replicate(m.keyId()));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "ap-south-1 | The region ap-south-1 is not a region of this key store",
        "moon | 1 validation error detected: Value 'moon' at 'replicaRegion' failed to satisfy"
            + " constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$"
      })
  void replicateKey_regionNotInTheStoreOrMalformed_isValidationAndAddsNoReplica(
      String region, String message) {
    KeyMetadata m = Calls.multiRegionKey(f);

    assertKmsError(
        ValidationException.class,
        message,
        () -> Calls.replicate(f.engine, ROOT, m.keyId(), region));
    assertThat(
        describe(f.engine, ROOT, m.keyId()).multiRegionConfiguration().replicaKeys(), empty());
  }

  @Test
  void scheduleKeyDeletion_primaryWithReplicas_isInvalidState() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());

    assertKmsError(
        KMSInvalidStateException.class,
        m.arn() + " is a multi-Region primary key with replicas; delete its replicas first.",
        () -> scheduleDeletion(f.engine, ROOT, m.keyId(), 7));
  }

  @Test
  void replicaDeleted_afterItsWindow_primaryHasNoReplicasAndCanBeScheduled() {
    KeyMetadata m = Calls.multiRegionKey(f);
    replicate(m.keyId());
    scheduleDeletion(f.engine, ROOT_EU, m.keyId(), 7);

    f.clock.advance(Duration.ofDays(7));

    assertKeyDoesNotExist(m, () -> describe(f.engine, ROOT_EU, m.keyId()));
    assertThat(
        describe(f.engine, ROOT, m.keyId()).multiRegionConfiguration().replicaKeys(), empty());
    assertThat(
        scheduleDeletion(f.engine, ROOT, m.keyId(), 7).keyState(), equalTo("PendingDeletion"));
  }

  @Test
  void reEncrypt_inReplicaRegion_anotherMultiRegionKeyAsSource_isIncorrectKey() {
    KeyMetadata a = Calls.multiRegionKey(f);
    KeyMetadata b = Calls.multiRegionKey(f);
    replicate(a.keyId());
    replicate(b.keyId());
    byte[] blob = encrypt(f.engine, ROOT, a.keyId(), "only a", CTX);

    assertKmsError(
        IncorrectKeyException.class,
        "The key ID in the request does not identify a CMK that can perform this operation.",
        () -> Calls.reEncrypt(f.engine, ROOT_EU, blob, b.arn(), CTX, b.keyId(), CTX));
  }
}
