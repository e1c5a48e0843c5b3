package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;

import io.qkms.engine.api.errors.NotFoundException;
import io.qkms.engine.api.model.ReEncryptRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** ReEncrypt's NotFoundException: identifiers that name no key the call can use. */
class ReEncryptNotFoundTest extends ReEncryptFixture {
  private static final String UNKNOWN_ID = "0987dcba-09fe-47dc-a5ba-ab0987654321";
  private static final String OTHER_ACCOUNT = "444455556666";

  private void expectNotFound(String message, ReEncryptRequest request) {
    Expect.fails(NotFoundException.class, message, () -> f.engine.reEncrypt(ROOT, request));
  }

  @Test
  void reEncrypt_destinationThatIsNoIdentifier_isInvalidKeyId() {
    expectNotFound("Invalid keyId 'fake-key-id'", reEncrypt(blob, "fake-key-id").build());
  }

  @Test
  void reEncrypt_destinationUuidWithoutHyphens_isInvalidKeyId() {
    expectNotFound(
        "Invalid keyId '0987dcba09fe47dca5baab0987654321'",
        reEncrypt(blob, "0987dcba09fe47dca5baab0987654321").build());
  }

  @Test
  void reEncrypt_sourceKeyIdThatIsNoIdentifier_isInvalidKeyId() {
    expectNotFound(
        "Invalid keyId 'mrk-fake-key-id'", toDestination().sourceKeyId("mrk-fake-key-id").build());
  }

  @Test
  void reEncrypt_unknownDestinationKeyId_namesItsArn() {
    expectNotFound(
        "Key 'arn:verenc:111122223333:key/" + UNKNOWN_ID + "' does not exist",
        reEncrypt(blob, UNKNOWN_ID).build());
  }

  @Test
  void reEncrypt_unknownSourceKeyId_namesItsArn() {
    expectNotFound(
        "Key 'arn:verenc:111122223333:key/" + UNKNOWN_ID + "' does not exist",
        toDestination().sourceKeyId(UNKNOWN_ID).build());
  }

  @Test
  void reEncrypt_unknownAliasName_namesTheAliasArn() {
    expectNotFound(
        "Alias arn:verenc:111122223333:alias/x is not found.", reEncrypt(blob, "alias/x").build());
  }

  @Test
  void reEncrypt_unknownAliasArn_namesTheAliasArn() {
    expectNotFound(
        "Alias arn:verenc:111122223333:alias/x is not found.",
        reEncrypt(blob, "arn:verenc:111122223333:alias/x").build());
  }

  @Test
  void reEncrypt_keyArnOfAnotherAccount_doesNotExist() {
    // The key ID exists here, but under this account only.
    String arn = "arn:verenc:" + OTHER_ACCOUNT + ":key/" + destination.keyId();
    expectNotFound("Key '" + arn + "' does not exist", reEncrypt(blob, arn).build());
  }

  @Test
  void reEncrypt_aliasArnOfAnotherAccount_namesThatAccountsAlias() {
    Steps.alias(f, "alias/shared", destination);
    String arn = "arn:verenc:" + OTHER_ACCOUNT + ":alias/shared";
    expectNotFound("Alias " + arn + " is not found.", reEncrypt(blob, arn).build());
  }

  @Test
  void reEncrypt_destinationPastItsDeletionWindow_doesNotExist() {
    Steps.scheduleDeletion(f, destination, 7);
    f.clock.advance(Duration.ofDays(7));
    expectNotFound("Key '" + destination.arn() + "' does not exist", toDestination().build());
  }
}
