package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.canaryBlob;
import static io.qkms.engine.Steps.reEncrypt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.api.CiphertextHeader;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.RotateKeyOnDemandRequest;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ReEncrypt to the same key after rotation: the re-keying job's reason to exist. */
class ReEncryptRotationTest {
  private static final int MATERIAL_ID_OFFSET = 19;

  @RegisterExtension final EngineFixture f = new EngineFixture();
  private final KeyMetadata key = f.symmetricKey();
  private String oldMaterial;
  private String newMaterial;
  private byte[] oldBlob;

  @BeforeEach
  void setUp() {
    oldMaterial = key.currentKeyMaterialId();
    oldBlob = canaryBlob(f, key.keyId());
    f.engine.rotateKeyOnDemand(ROOT, new RotateKeyOnDemandRequest(key.keyId()));
    newMaterial = Steps.describe(f, key.keyId()).currentKeyMaterialId();
  }

  private ReEncryptResponse reEncryptToSameKey() {
    return f.engine.reEncrypt(
        ROOT, reEncrypt(oldBlob, key.keyId()).destinationEncryptionContext(CONTEXT).build());
  }

  @Test
  void rotateKeyOnDemand_makesANewCurrentMaterial() {
    assertThat(newMaterial, not(equalTo(oldMaterial)));
  }

  @Test
  void reEncrypt_toSameKeyAfterRotation_movesToTheNewestMaterial() {
    ReEncryptResponse r = reEncryptToSameKey();
    assertThat(r.destinationKeyMaterialId(), equalTo(newMaterial));
    assertThat(r.sourceKeyMaterialId(), equalTo(oldMaterial));
    assertThat(r.sourceKeyId(), equalTo(key.arn()));
    assertThat(r.keyId(), equalTo(key.arn()));
  }

  @Test
  void reEncrypt_toSameKeyAfterRotation_writesTheNewMaterialIdIntoTheBlobHeader() {
    byte[] out = reEncryptToSameKey().ciphertextBlob();
    byte[] headerMaterial = Arrays.copyOfRange(out, MATERIAL_ID_OFFSET, MATERIAL_ID_OFFSET + 32);
    assertThat(HexFormat.of().formatHex(headerMaterial), equalTo(newMaterial));
  }

  @Test
  void reEncrypt_toSameKeyAfterRotation_decryptsUnderTheNewMaterial() {
    byte[] out = reEncryptToSameKey().ciphertextBlob();
    DecryptResponse d =
        f.engine.decrypt(
            ROOT, DecryptRequest.builder().ciphertextBlob(out).encryptionContext(CONTEXT).build());
    assertThat(d.keyMaterialId(), equalTo(newMaterial));
    assertThat(new String(d.plaintext(), StandardCharsets.UTF_8), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_toSameKeyAfterRotation_leavesTheOldCiphertextDecryptable() {
    reEncryptToSameKey();
    DecryptResponse d =
        f.engine.decrypt(
            ROOT,
            DecryptRequest.builder().ciphertextBlob(oldBlob).encryptionContext(CONTEXT).build());
    assertThat(d.keyMaterialId(), equalTo(oldMaterial));
    assertThat(new String(d.plaintext(), StandardCharsets.UTF_8), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_ofACurrentBlob_reportsTheSameMaterialOnBothSides() {
    // What the job uses to skip blobs that are already current.
    byte[] current = reEncryptToSameKey().ciphertextBlob();
    ReEncryptResponse again =
        f.engine.reEncrypt(
            ROOT, reEncrypt(current, key.keyId()).destinationEncryptionContext(CONTEXT).build());
    assertThat(again.sourceKeyMaterialId(), equalTo(newMaterial));
    assertThat(again.destinationKeyMaterialId(), equalTo(newMaterial));
  }

  @Test
  void readCiphertextHeader_namesTheKeyAndMaterialOfEachBlob_withoutAKeyStore() {
    CiphertextHeader before = KmsEngine.readCiphertextHeader(oldBlob);
    CiphertextHeader after = KmsEngine.readCiphertextHeader(reEncryptToSameKey().ciphertextBlob());
    assertThat(before.keyId().value(), equalTo(key.keyId()));
    assertThat(before.materialId().hex(), equalTo(oldMaterial));
    assertThat(after.keyId().value(), equalTo(key.keyId()));
    assertThat(after.materialId().hex(), equalTo(newMaterial));
  }

  @Test
  void readCiphertextHeader_isNullForBytesThatAreNoQkmsCiphertext() {
    assertThat(KmsEngine.readCiphertextHeader(new byte[] {1, 2, 3}), nullValue());
    assertThat(KmsEngine.readCiphertextHeader(null), nullValue());
    byte[] otherMagic = oldBlob.clone();
    otherMagic[0] = 'X';
    assertThat(KmsEngine.readCiphertextHeader(otherMagic), nullValue());
  }
}
