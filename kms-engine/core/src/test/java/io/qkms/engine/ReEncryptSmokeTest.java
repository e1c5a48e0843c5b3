package io.qkms.engine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReEncryptSmokeTest {
  @Test
  void reEncrypt_toAnotherKey_decryptsUnderTheNewKeyAndContext() {
    try (EngineFixture f = new EngineFixture()) {
      KeyMetadata a = f.symmetricKey();
      KeyMetadata b = f.symmetricKey();
      byte[] blob = f.encrypt(a.keyId(), "secret", Map.of("Department", "Finance"));
      ReEncryptResponse r =
          f.engine.reEncrypt(
              EngineFixture.root(),
              ReEncryptRequest.builder()
                  .ciphertextBlob(blob)
                  .sourceKeyId(a.keyId())
                  .destinationKeyId(b.keyId())
                  .sourceEncryptionContext(Map.of("Department", "Finance"))
                  .destinationEncryptionContext(Map.of("Purpose", "Test"))
                  .build());
      assertThat(r.keyId(), equalTo(b.arn()));
      assertThat(r.sourceKeyId(), equalTo(a.arn()));
      byte[] pt =
          f.engine
              .decrypt(
                  EngineFixture.root(),
                  DecryptRequest.builder()
                      .ciphertextBlob(r.ciphertextBlob())
                      .encryptionContext(Map.of("Purpose", "Test"))
                      .build())
              .plaintext();
      assertThat(new String(pt, StandardCharsets.UTF_8), equalTo("secret"));
    }
  }
}
