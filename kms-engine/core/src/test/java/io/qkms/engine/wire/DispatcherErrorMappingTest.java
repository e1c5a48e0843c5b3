package io.qkms.engine.wire;

import static io.qkms.engine.wire.WireHarness.arn;
import static io.qkms.engine.wire.WireHarness.assertError;
import static io.qkms.engine.wire.WireHarness.b64;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How engine errors reach the wire: client errors are 400 and server faults 500, each with exactly
 * {@code {"__type", "message"}} (no message for InvalidCiphertextException), and {@link
 * WireResponse#errorCode()} is the {@code __type}.
 */
class DispatcherErrorMappingTest {
  private static final String FINANCE = "{\"Department\": \"Finance\"}";

  private static String reEncryptBody(String blob, String source, String destination) {
    return """
        {"CiphertextBlob": "%s", "SourceKeyId": "%s", "DestinationKeyId": "%s",
         "SourceEncryptionContext": {"Department": "Finance"}}"""
        .formatted(blob, source, destination);
  }

  // ---- Client errors: 400 ---------------------------------------------------------------------

  @Test
  void describeKey_unknownKey_isNotFoundWithTheKeyArn() {
    try (WireHarness w = new WireHarness()) {
      String missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
      assertError(
          w.call("DescribeKey", "{\"KeyId\": \"%s\"}".formatted(missing)),
          400,
          "NotFoundException",
          "Key 'arn:verenc:111122223333:key/" + missing + "' does not exist");
    }
  }

  @Test
  void describeKey_malformedKeyId_isNotFoundInvalidKeyId() {
    try (WireHarness w = new WireHarness()) {
      assertError(
          w.call("DescribeKey", "{\"KeyId\": \"fake-key-id\"}"),
          400,
          "NotFoundException",
          "Invalid keyId 'fake-key-id'");
    }
  }

  @Test
  void reEncrypt_unknownDestinationAlias_isNotFoundWithTheAliasArn() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, source, "alias/missing")),
          400,
          "NotFoundException",
          "Alias arn:verenc:111122223333:alias/missing is not found.");
    }
  }

  @Test
  void reEncrypt_ciphertextOver6144Bytes_isValidationExceptionWithAwsMessage() {
    try (WireHarness w = new WireHarness()) {
      String destination = w.newKey();
      String blob = b64(new byte[6145]);
      assertError(
          w.call(
              "ReEncrypt",
              "{\"CiphertextBlob\": \"%s\", \"DestinationKeyId\": \"%s\"}"
                  .formatted(blob, destination)),
          400,
          "ValidationException",
          "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint:"
              + " Member must have length less than or equal to 6144");
    }
  }

  @Test
  void reEncrypt_disabledSource_isDisabledException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      w.okWithoutOutput("DisableKey", "{\"KeyId\": \"%s\"}".formatted(source));
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, source, destination)),
          400,
          "DisabledException",
          arn(source) + " is disabled.");
    }
  }

  @Test
  void reEncrypt_sourcePendingDeletion_isKmsInvalidStateException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      w.ok("ScheduleKeyDeletion", "{\"KeyId\": \"%s\"}".formatted(source));
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, source, destination)),
          400,
          "KMSInvalidStateException",
          arn(source) + " is pending deletion.");
    }
  }

  @Test
  void reEncrypt_userWithoutPermission_isAccessDenied() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      assertError(
          w.call(
              "ReEncrypt", reEncryptBody(blob, source, destination), EngineFixture.user("alice")),
          400,
          "AccessDeniedException",
          "User: arn:verenc:111122223333:user/alice is not authorized to perform:"
              + " kms:ReEncryptFrom on resource: "
              + arn(source)
              + " because no resource-based policy allows the kms:ReEncryptFrom action");
    }
  }

  @Test
  void reEncrypt_sourceKeyIdNotTheBlobsKey_isIncorrectKeyException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String other = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, other, other)),
          400,
          "IncorrectKeyException",
          "The key ID in the request does not identify a CMK that can perform this operation.");
    }
  }

  @Test
  void reEncrypt_macKeyAsDestination_isInvalidKeyUsageException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String mac =
          w.ok("CreateKey", "{\"KeySpec\": \"HMAC_256\", \"KeyUsage\": \"GENERATE_VERIFY_MAC\"}")
              .get("KeyMetadata")
              .get("KeyId")
              .asText();
      String blob = w.encrypt(source, "data", FINANCE);
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, source, mac)),
          400,
          "InvalidKeyUsageException",
          arn(mac) + " key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.");
    }
  }

  @Test
  void reEncrypt_dryRun_isDryRunOperationException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      String body = reEncryptBody(blob, source, destination).replace("}}", "}, \"DryRun\": true}");
      assertError(
          w.call("ReEncrypt", body),
          400,
          "DryRunOperationException",
          "The request would have succeeded, but the DryRun option is set.");
    }
  }

  @Test
  void reEncrypt_malformedGrantToken_isInvalidGrantTokenException() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      String body =
          reEncryptBody(blob, source, destination)
              .replace("}}", "}, \"GrantTokens\": [\"not-a-grant-token\"]}");
      assertError(
          w.call("ReEncrypt", body),
          400,
          "InvalidGrantTokenException",
          "The grant token is not valid.");
    }
  }

  @Test
  void reEncrypt_wrongSourceContext_isInvalidCiphertextWithoutMessageMember() {
    try (WireHarness w = new WireHarness()) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", "{\"Department\": \"Legal\"}");
      assertError(
          w.call("ReEncrypt", reEncryptBody(blob, source, destination)),
          400,
          "InvalidCiphertextException",
          null);
    }
  }

  @Test
  void decrypt_tamperedBlob_isInvalidCiphertextWithoutMessageMember() {
    try (WireHarness w = new WireHarness()) {
      String keyId = w.newKey();
      byte[] blob = Base64.getDecoder().decode(w.encrypt(keyId, "data", "{}"));
      blob[blob.length - 1] ^= 1;
      assertError(
          w.call("Decrypt", "{\"CiphertextBlob\": \"%s\"}".formatted(b64(blob))),
          400,
          "InvalidCiphertextException",
          null);
    }
  }

  // ---- Server faults: 500 ---------------------------------------------------------------------

  @Test
  void reEncrypt_sealedStoreOnAFreshEngine_isKeyUnavailable500() {
    try (WireHarness w = new WireHarness()) {
      EngineFixture f = w.fixture;
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      // A fresh engine has no unwrapped material cached, so it must ask the sealed store.
      try (KmsEngine fresh = KmsEngine.builder().keyStore(f.store).clock(f.clock).build()) {
        f.store.seal();
        WireResponse r =
            new Dispatcher(fresh)
                .dispatch(
                    "TrentService.ReEncrypt",
                    reEncryptBody(blob, source, destination).getBytes(),
                    EngineFixture.root());
        assertError(r, 500, "KeyUnavailableException", "The key store is sealed");
      }
    }
  }

  @Test
  void reEncrypt_storeWriteHeldPastTheDeadline_isDependencyTimeout500() throws Exception {
    try (WireHarness w = new WireHarness(new EngineFixture(Duration.ofMillis(100)))) {
      String source = w.newKey();
      String destination = w.newKey();
      String blob = w.encrypt(source, "data", FINANCE);
      // Past the cache TTL the engine must read the store again, which the held write blocks.
      w.fixture.clock.advance(EngineFixture.CACHE_TTL.plusSeconds(1));
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread writer =
          new Thread(
              () ->
                  w.fixture.store.update(
                      Duration.ofSeconds(5),
                      s -> {
                        held.countDown();
                        awaitQuietly(release);
                        return s;
                      }));
      writer.start();
      try {
        assertThat(held.await(5, TimeUnit.SECONDS), is(true));
        assertError(
            w.call("ReEncrypt", reEncryptBody(blob, source, destination)),
            500,
            "DependencyTimeoutException",
            "The key store did not answer within 100 ms");
      } finally {
        release.countDown();
        writer.join(5_000);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void encrypt_materialThatDoesNotAuthenticate_isKmsInternal500() {
    try (WireHarness w = new WireHarness()) {
      String keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
      StoreSeeder seeder = new StoreSeeder(w.fixture);
      // Wrapped for another key ID: the root key's AAD binding makes it a damaged record here.
      seeder.symmetricKey(
          keyId,
          seeder.materialWrappedFor(
              KeyId.parse("0987dcba-09fe-87dc-65ba-ab0987654321"),
              MaterialId.random(Randomness.current()),
              new byte[32]));
      assertError(
          w.call(
              "Encrypt", "{\"KeyId\": \"%s\", \"Plaintext\": \"%s\"}".formatted(keyId, b64("x"))),
          500,
          "KMSInternalException",
          "The key store is damaged: A wrapped key material does not authenticate under the"
              + " root key");
    }
  }

  @Test
  void encrypt_unexpectedEngineFault_isKmsInternal500WithoutDetails() {
    try (WireHarness w = new WireHarness()) {
      String keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
      StoreSeeder seeder = new StoreSeeder(w.fixture);
      // A 16-byte secret for a 32-byte key spec: the engine fails with a non-API exception.
      seeder.symmetricKey(
          keyId,
          seeder.materialWrappedFor(
              KeyId.parse(keyId), MaterialId.random(Randomness.current()), new byte[16]));
      assertError(
          w.call(
              "Encrypt", "{\"KeyId\": \"%s\", \"Plaintext\": \"%s\"}".formatted(keyId, b64("x"))),
          500,
          "KMSInternalException",
          "An internal error occurred.");
    }
  }
}
