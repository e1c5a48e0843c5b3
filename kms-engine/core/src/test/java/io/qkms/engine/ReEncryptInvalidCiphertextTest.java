package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.canaryBlob;
import static io.qkms.engine.Steps.reEncrypt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.testing.EngineFixture;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ReEncrypt's InvalidCiphertextException: blobs that are not what their key made. */
class ReEncryptInvalidCiphertextTest extends ReEncryptFixture {
  /** Offsets of the v1 blob layout (see CiphertextFormat). */
  private static final int MATERIAL_ID_OFFSET = 19;

  private static final int NONCE_OFFSET = 51;

  private void expectInvalid(ReEncryptRequest request) {
    Expect.invalidCiphertext(() -> f.engine.reEncrypt(ROOT, request));
  }

  private void expectInvalid(byte[] badBlob) {
    expectInvalid(reEncrypt(badBlob, destination.keyId()).build());
  }

  @Test
  void reEncrypt_flippedCiphertextByte_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[CiphertextFormat.HEADER_SIZE_BYTES + 3] ^= 0x20;
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_flippedTagByte_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[bad.length - 1] ^= 0x01;
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_flippedNonceByte_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[NONCE_OFFSET] ^= (byte) 0x80;
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_wrongMagicByte_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[0] = 'R';
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_unknownFormatVersion_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[1] = 2;
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_blobTruncatedByOneByte_isInvalidCiphertext() {
    expectInvalid(Arrays.copyOf(blob, blob.length - 1));
  }

  @Test
  void reEncrypt_blobCutToItsHeader_isInvalidCiphertext() {
    expectInvalid(Arrays.copyOf(blob, CiphertextFormat.HEADER_SIZE_BYTES));
  }

  @Test
  void reEncrypt_blobWithoutItsHeader_isInvalidCiphertext() {
    expectInvalid(Arrays.copyOfRange(blob, CiphertextFormat.HEADER_SIZE_BYTES, blob.length));
  }

  @Test
  void reEncrypt_blobExtendedByOneByte_isInvalidCiphertext() {
    expectInvalid(Arrays.copyOf(blob, blob.length + 1));
  }

  @Test
  void reEncrypt_blobWithBadDataAppended_isInvalidCiphertext() {
    byte[] bad = Arrays.copyOf(blob, blob.length + 8);
    System.arraycopy("bad_data".getBytes(), 0, bad, blob.length, 8);
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_garbageBytes_isInvalidCiphertext() {
    byte[] garbage = new byte[200];
    new SecureRandom().nextBytes(garbage);
    garbage[0] = 0x00; // never the magic byte, so the outcome does not depend on the draw
    expectInvalid(garbage);
  }

  @Test
  void reEncrypt_headerNamingAMaterialTheKeyNeverHad_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    for (int i = 0; i < 32; i++) {
      bad[MATERIAL_ID_OFFSET + i] = (byte) i;
    }
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_headerNamingAnotherKeysMaterial_isInvalidCiphertext() {
    byte[] other = canaryBlob(f, destination.keyId());
    byte[] bad = blob.clone();
    System.arraycopy(other, MATERIAL_ID_OFFSET, bad, MATERIAL_ID_OFFSET, 32);
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_headerOfAnotherKeyOnThisBlob_isInvalidCiphertext() {
    // Swapping in another real key's header (key ID and material ID) does not authenticate.
    byte[] other = canaryBlob(f, destination.keyId());
    byte[] bad = blob.clone();
    System.arraycopy(other, 0, bad, 0, NONCE_OFFSET);
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_foreignBlobNamingThisKeyAndMaterial_isInvalidCiphertext() {
    // Another store holds a key with the same key ID and material ID but its own secret: the
    // header matches this store exactly, so only authentication can tell the blob is foreign.
    try (EngineFixture other = new EngineFixture()) {
      KeyRecord mine = StoreSurgery.record(f.store, EngineFixture.US_EAST_1, source.keyId());
      MaterialRecord m = mine.currentMaterial();
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      byte[] wrapped = other.store.materialProtector().wrap(mine.keyId(), m.id(), secret);
      KeyRecord twin =
          mine.toBuilder()
              .materials(
                  List.of(
                      new MaterialRecord(m.id(), m.createdAt(), m.rotationType(), wrapped, null)))
              .build();
      other.store.update(
          StoreSurgery.WRITE_TIMEOUT,
          s ->
              s.withRegion(
                  EngineFixture.US_EAST_1, s.region(EngineFixture.US_EAST_1).withKey(twin)));
      byte[] foreign = canaryBlob(other, source.keyId());
      assertThat(
          "same header fields",
          Arrays.copyOfRange(foreign, 0, NONCE_OFFSET),
          equalTo(Arrays.copyOfRange(blob, 0, NONCE_OFFSET)));

      expectInvalid(foreign);
    }
  }

  @Test
  void reEncrypt_wrongSourceContextValue_isInvalidCiphertext() {
    expectInvalid(toDestination().sourceEncryptionContext(Map.of("Department", "Sales")).build());
  }

  @Test
  void reEncrypt_missingSourceContext_isInvalidCiphertext() {
    expectInvalid(toDestination().sourceEncryptionContext(null).build());
  }

  @Test
  void reEncrypt_extraSourceContextEntry_isInvalidCiphertext() {
    Map<String, String> extra = new HashMap<>(CONTEXT);
    extra.put("Project", "Alpha");
    expectInvalid(toDestination().sourceEncryptionContext(extra).build());
  }

  @Test
  void reEncrypt_sourceContextKeyInOtherCase_isInvalidCiphertext() {
    expectInvalid(toDestination().sourceEncryptionContext(Map.of("department", "Finance")).build());
  }

  @Test
  void reEncrypt_destinationContextIsNotCheckedAgainstTheBlob() {
    // Control for the tests above: only the source context must match the blob.
    byte[] out =
        f.engine
            .reEncrypt(
                ROOT,
                toDestination().destinationEncryptionContext(Map.of("Purpose", "Test")).build())
            .ciphertextBlob();
    assertThat(Steps.decryptToString(f, out, Map.of("Purpose", "Test")), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_blobTamperedInTheKeyIdKind_isInvalidCiphertext() {
    byte[] bad = blob.clone();
    bad[2] = 0x07;
    expectInvalid(bad);
  }

  @Test
  void reEncrypt_blobOfAKeyIdNamingAnHmacKey_isInvalidCiphertext() {
    // An HMAC key never makes blobs of this format, so a header naming one is not a real blob.
    KeyMetadata hmac = f.key("HMAC_256", "GENERATE_VERIFY_MAC");
    byte[] bad = blob.clone();
    KeyId.parse(hmac.keyId()).writeBytes(bad, 3);
    expectInvalid(bad);
  }

  // A blob whose header names a key this region does not hold is foreign, whatever the reason.

  @Test
  void reEncrypt_blobWhoseKeyIsNotInTheCallersRegion_isInvalidCiphertext() {
    KeyMetadata euDestination =
        f.engine
            .createKey(
                EngineFixture.root(EngineFixture.EU_WEST_1), CreateKeyRequest.builder().build())
            .keyMetadata();
    Expect.invalidCiphertext(
        reEncryptAs(
            EngineFixture.root(EngineFixture.EU_WEST_1), reEncrypt(blob, euDestination.keyId())));
  }

  @Test
  void reEncrypt_blobFromAnotherStoresKey_isInvalidCiphertext() {
    try (EngineFixture other = new EngineFixture()) {
      KeyMetadata foreignKey = other.symmetricKey();
      expectInvalid(canaryBlob(other, foreignKey.keyId()));
    }
  }

  @Test
  void reEncrypt_blobWhoseKeyIsPastItsDeletionWindow_isInvalidCiphertext() {
    Steps.scheduleDeletion(f, source, 7);
    f.clock.advance(Duration.ofDays(7).plusSeconds(1));
    expectInvalid(blob);
  }

  @Test
  void reEncrypt_blobWhoseKeyWasPurgedFromTheStore_isInvalidCiphertext() {
    // Past the cache TTL too, so the engine reads the store, whose maintenance removes the key.
    Steps.scheduleDeletion(f, source, 7);
    f.clock.advance(Duration.ofDays(8));
    expectInvalid(blob);
    Expect.fails(
        NotFoundException.class,
        "Key '" + source.arn() + "' does not exist",
        () -> Steps.describe(f, source.keyId()));
  }
}
