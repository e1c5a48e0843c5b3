package io.qkms.engine;

import static io.qkms.engine.Steps.CONTEXT;
import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.EncryptResponse;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.api.model.UpdateAliasRequest;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every identifier form (key ID, key ARN, alias name, alias ARN) wherever a crypto operation takes
 * a key, and key ARNs in every response whatever form the caller used.
 */
class KeyIdentifierFormsTest extends ReEncryptFixture {
  /** The four ways to name a key, given the key and an alias name that points to it. */
  enum Form {
    KEY_ID((key, alias) -> key.keyId()),
    KEY_ARN((key, alias) -> key.arn()),
    ALIAS_NAME((key, alias) -> alias),
    ALIAS_ARN((key, alias) -> "arn:verenc:111122223333:" + alias);

    private final BiFunction<KeyMetadata, String, String> spell;

    Form(BiFunction<KeyMetadata, String, String> spell) {
      this.spell = spell;
    }

    String of(KeyMetadata key, String alias) {
      return spell.apply(key, alias);
    }
  }

  @BeforeEach
  void nameTheKeys() {
    Steps.alias(f, "alias/source", source);
    Steps.alias(f, "alias/destination", destination);
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void reEncrypt_destinationInEveryForm_returnsBothKeyArns(Form form) {
    ReEncryptResponse r =
        f.engine.reEncrypt(
            ROOT, reEncrypt(blob, form.of(destination, "alias/destination")).build());
    assertThat(r.keyId(), equalTo(destination.arn()));
    assertThat(r.sourceKeyId(), equalTo(source.arn()));
    assertThat(Steps.decryptToString(f, r.ciphertextBlob(), null), equalTo(Canary.TEXT));
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void reEncrypt_sourceKeyIdInEveryForm_returnsBothKeyArns(Form form) {
    ReEncryptResponse r =
        f.engine.reEncrypt(
            ROOT, toDestination().sourceKeyId(form.of(source, "alias/source")).build());
    assertThat(r.sourceKeyId(), equalTo(source.arn()));
    assertThat(r.keyId(), equalTo(destination.arn()));
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void encrypt_keyIdInEveryForm_returnsTheKeyArn(Form form) {
    EncryptResponse r =
        f.engine.encrypt(
            ROOT,
            EncryptRequest.builder()
                .keyId(form.of(source, "alias/source"))
                .plaintext(Canary.bytes())
                .encryptionContext(CONTEXT)
                .build());
    assertThat(r.keyId(), equalTo(source.arn()));
    assertThat(Steps.decryptToString(f, r.ciphertextBlob(), CONTEXT), equalTo(Canary.TEXT));
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void decrypt_keyIdInEveryForm_returnsTheKeyArn(Form form) {
    DecryptResponse r =
        f.engine.decrypt(
            ROOT,
            DecryptRequest.builder()
                .ciphertextBlob(blob)
                .encryptionContext(CONTEXT)
                .keyId(form.of(source, "alias/source"))
                .build());
    assertThat(r.keyId(), equalTo(source.arn()));
    assertThat(new String(r.plaintext(), StandardCharsets.UTF_8), equalTo(Canary.TEXT));
  }

  @Test
  void reEncrypt_withoutSourceKeyId_returnsTheSourceKeyArnFromTheBlob() {
    ReEncryptResponse r = f.engine.reEncrypt(ROOT, toDestination().build());
    assertThat(r.sourceKeyId(), equalTo(source.arn()));
  }

  @Test
  void decrypt_withoutKeyId_returnsTheKeyArnFromTheBlob() {
    DecryptResponse r =
        f.engine.decrypt(
            ROOT, DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(CONTEXT).build());
    assertThat(r.keyId(), equalTo(source.arn()));
  }

  @Test
  void reEncrypt_aliasRetargeted_followsTheAliasToItsNewKey() {
    // Alias resolution is not pinned to the key it named when first used.
    ReEncryptResponse first =
        f.engine.reEncrypt(ROOT, reEncrypt(blob, "alias/destination").build());
    assertThat(first.keyId(), equalTo(destination.arn()));
    f.engine.updateAlias(ROOT, new UpdateAliasRequest("alias/destination", source.keyId()));
    ReEncryptResponse second =
        f.engine.reEncrypt(ROOT, reEncrypt(blob, "alias/destination").build());
    assertThat(second.keyId(), equalTo(source.arn()));
  }
}
