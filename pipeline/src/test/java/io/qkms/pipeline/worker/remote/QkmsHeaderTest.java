package io.qkms.pipeline.worker.remote;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.Principal;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The header as the engine writes it: a remote worker reads the same key and material. */
class QkmsHeaderTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Region REGION = Region.of("us-east-1");
  private final InMemoryKeyStore store = InMemoryKeyStore.create(ACCOUNT, REGION);
  private final KmsEngine engine = KmsEngine.builder().keyStore(store).build();
  private final Caller root = new Caller(Principal.root(ACCOUNT), REGION);

  @AfterEach
  void close() {
    engine.close();
    store.close();
  }

  private byte[] blob(KeyMetadata key, int plaintextBytes) {
    byte[] plaintext = new byte[plaintextBytes];
    Arrays.fill(plaintext, (byte) 'x');
    return engine
        .encrypt(root, EncryptRequest.builder().keyId(key.keyId()).plaintext(plaintext).build())
        .ciphertextBlob();
  }

  @Test
  void aBlobUnderAKeyId_namesItsKeyAndMaterial_asTheEngineReadsThem() {
    KeyMetadata key = engine.createKey(root, CreateKeyRequest.builder().build()).keyMetadata();
    byte[] blob = blob(key, 64);

    QkmsHeader.Parsed h = QkmsHeader.parse(blob);
    KeyMaterialRef expected = engine.ciphertextKeyMaterial(blob);

    assertThat(h.keyId(), equalTo(key.keyId()));
    assertThat(key.arn().endsWith("/" + h.keyId()), equalTo(true));
    assertThat(h.materialId(), equalTo(expected.keyMaterialId()));
    assertThat(h.materialId(), equalTo(key.currentKeyMaterialId()));
  }

  @Test
  void aBlobUnderAMultiRegionKey_namesItsMrkId() {
    KeyMetadata key =
        engine.createKey(root, CreateKeyRequest.builder().multiRegion(true).build()).keyMetadata();

    QkmsHeader.Parsed h = QkmsHeader.parse(blob(key, 4096));

    assertThat(h.keyId(), equalTo(key.keyId()));
    assertThat(h.keyId().startsWith("mrk-"), equalTo(true));
  }

  @Test
  void bytesThatAreNoQkmsCiphertext_haveNoHeader() {
    KeyMetadata key = engine.createKey(root, CreateKeyRequest.builder().build()).keyMetadata();
    byte[] blob = blob(key, 16);
    byte[] wrongMagic = blob.clone();
    wrongMagic[0] = 0x01; // an AWS KMS ciphertext begins with 0x01 0x02 0x02 0x00
    byte[] wrongKind = blob.clone();
    wrongKind[2] = 0x07;

    assertThat(QkmsHeader.parse(wrongMagic), nullValue());
    assertThat(QkmsHeader.parse(wrongKind), nullValue());
    assertThat(QkmsHeader.parse(Arrays.copyOf(blob, 91)), nullValue());
    assertThat(QkmsHeader.parse(new byte[4188]), nullValue());
    assertThat(QkmsHeader.parse("not a blob".getBytes(StandardCharsets.UTF_8)), nullValue());
    assertThat(QkmsHeader.parse(null), nullValue());
  }
}
