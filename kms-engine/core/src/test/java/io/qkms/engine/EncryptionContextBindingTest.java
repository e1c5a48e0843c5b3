package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.testing.EngineFixture;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The encryption context is bound exactly, with no ambiguity: contexts that concatenate to the same
 * string are different, entry order does not matter, and empty equals absent.
 */
class EncryptionContextBindingTest {
  @RegisterExtension final EngineFixture f = new EngineFixture();
  private final KeyMetadata key = f.symmetricKey();
  private final KeyMetadata destination = f.symmetricKey();

  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private byte[] encrypt(Map<String, String> context) {
    return f.encrypt(key.keyId(), Canary.TEXT, context);
  }

  private String decrypt(byte[] blob, Map<String, String> context) {
    return Steps.decryptToString(f, blob, context);
  }

  private void expectDecryptFails(byte[] blob, Map<String, String> context) {
    Expect.invalidCiphertext(
        () ->
            f.engine.decrypt(
                ROOT,
                DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(context).build()));
  }

  private void expectReEncryptFails(byte[] blob, Map<String, String> context) {
    Expect.invalidCiphertext(
        () ->
            f.engine.reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .ciphertextBlob(blob)
                    .sourceEncryptionContext(context)
                    .destinationKeyId(destination.keyId())
                    .build()));
  }

  @Test
  void decrypt_abCContextWithABcContext_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("ab", "c")), Map.of("a", "bc"));
  }

  @Test
  void decrypt_aBcContextWithAbCContext_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("a", "bc")), Map.of("ab", "c"));
  }

  @Test
  void reEncrypt_abCContextWithABcSourceContext_isInvalidCiphertext() {
    expectReEncryptFails(encrypt(Map.of("ab", "c")), Map.of("a", "bc"));
  }

  @Test
  void decrypt_entriesSplitDifferentlyAcrossTwoPairs_isInvalidCiphertext() {
    // "a"+"b"+"cd"+"e" and "ab"+"c"+"d"+"e" concatenate alike once sorted.
    expectDecryptFails(encrypt(ordered("a", "b", "cd", "e")), ordered("ab", "c", "d", "e"));
  }

  @Test
  void decrypt_keyAndValueSwapped_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("a", "b")), Map.of("b", "a"));
  }

  @Test
  void decrypt_entriesInAnotherOrder_succeeds() {
    byte[] blob = encrypt(ordered("b", "2", "a", "1", "c", "3"));
    assertThat(decrypt(blob, ordered("c", "3", "a", "1", "b", "2")), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_sourceContextInAnotherOrder_succeeds() {
    byte[] blob = encrypt(ordered("b", "2", "a", "1"));
    byte[] out =
        f.engine
            .reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .ciphertextBlob(blob)
                    .sourceEncryptionContext(ordered("a", "1", "b", "2"))
                    .destinationKeyId(destination.keyId())
                    .build())
            .ciphertextBlob();
    assertThat(decrypt(out, null), equalTo(Canary.TEXT));
  }

  @Test
  void decrypt_missingEntry_isInvalidCiphertext() {
    expectDecryptFails(encrypt(ordered("a", "1", "b", "2")), Map.of("a", "1"));
  }

  @Test
  void decrypt_extraEntry_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("a", "1")), ordered("a", "1", "b", "2"));
  }

  @Test
  void decrypt_contextWhenNoneWasUsed_isInvalidCiphertext() {
    expectDecryptFails(encrypt(null), Map.of("a", "1"));
  }

  @Test
  void decrypt_noContextWhenOneWasUsed_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("a", "1")), null);
  }

  @Test
  void decrypt_valueInOtherCase_isInvalidCiphertext() {
    expectDecryptFails(encrypt(Map.of("a", "Finance")), Map.of("a", "finance"));
  }

  @Test
  void decrypt_emptyContextForABlobMadeWithoutContext_succeeds() {
    assertThat(decrypt(encrypt(null), Map.of()), equalTo(Canary.TEXT));
  }

  @Test
  void decrypt_noContextForABlobMadeWithAnEmptyContext_succeeds() {
    assertThat(decrypt(encrypt(Map.of()), null), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_emptySourceContextForABlobMadeWithoutContext_succeeds() {
    byte[] out =
        f.engine
            .reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .ciphertextBlob(encrypt(null))
                    .sourceEncryptionContext(Map.of())
                    .destinationKeyId(destination.keyId())
                    .destinationEncryptionContext(Map.of())
                    .build())
            .ciphertextBlob();
    assertThat(decrypt(out, null), equalTo(Canary.TEXT));
  }

  @Test
  void decrypt_nonAsciiContextRoundTrips() {
    Map<String, String> context = ordered("Größe", "ünïcødé", "\uD83D\uDD11", "clé");
    assertThat(decrypt(encrypt(context), context), equalTo(Canary.TEXT));
  }
}
