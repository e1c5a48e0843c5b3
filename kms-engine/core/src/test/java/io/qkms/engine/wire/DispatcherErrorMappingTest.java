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
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

  /** Two new keys, and a ciphertext of the source (under the Finance context unless given). */
  private record ReKey(String source, String destination, String blob) {
    static ReKey of(WireHarness w, String sourceContext) {
      String source = w.newKey();
      return new ReKey(source, w.newKey(), w.encrypt(source, "data", sourceContext));
    }

    static ReKey of(WireHarness w) {
      return of(w, FINANCE);
    }

    String body() {
      return reEncryptBody(blob, source, destination);
    }

    /** The request body with {@code member} (a JSON member, e.g. {@code "DryRun": true}) added. */
    String bodyWith(String member) {
      return body().replace("}}", "}, " + member + "}");
    }
  }

  /** What a case got, and the error code and message it must be. */
  private record Refusal(WireResponse response, String code, String message) {}

  private static Arguments clientError(String behaviour, Function<WireHarness, Refusal> scenario) {
    return Arguments.of(Named.of(behaviour, scenario));
  }

  /**
   * ReEncrypt from a source key that {@code operation} (as DisableKey) made unusable: {@code code},
   * with the source key's ARN followed by {@code why}.
   */
  private static Function<WireHarness, Refusal> fromSourceAfter(
      String operation, String code, String why) {
    return w -> {
      ReKey k = ReKey.of(w);
      WireResponse done = w.call(operation, "{\"KeyId\": \"%s\"}".formatted(k.source()));
      assertThat(done.bodyText(), done.status(), is(200));
      return new Refusal(w.call("ReEncrypt", k.body()), code, arn(k.source()) + why);
    };
  }

  static Stream<Arguments> clientErrors() {
    String unknownKey = "1234abcd-12ab-34cd-56ef-1234567890ab";
    return Stream.of(
        clientError(
            "DescribeKey of an unknown key: NotFoundException with the key ARN",
            w ->
                new Refusal(
                    w.call("DescribeKey", "{\"KeyId\": \"%s\"}".formatted(unknownKey)),
                    "NotFoundException",
                    "Key 'arn:verenc:111122223333:key/" + unknownKey + "' does not exist")),
        clientError(
            "DescribeKey of a malformed key ID: NotFoundException, invalid keyId",
            w ->
                new Refusal(
                    w.call("DescribeKey", "{\"KeyId\": \"fake-key-id\"}"),
                    "NotFoundException",
                    "Invalid keyId 'fake-key-id'")),
        clientError(
            "ReEncrypt to an unknown alias: NotFoundException with the alias ARN",
            w -> {
              ReKey k = ReKey.of(w);
              return new Refusal(
                  w.call("ReEncrypt", reEncryptBody(k.blob(), k.source(), "alias/missing")),
                  "NotFoundException",
                  "Alias arn:verenc:111122223333:alias/missing is not found.");
            }),
        clientError(
            "ReEncrypt of a ciphertext over 6144 bytes: ValidationException with AWS's message",
            w ->
                new Refusal(
                    w.call(
                        "ReEncrypt",
                        "{\"CiphertextBlob\": \"%s\", \"DestinationKeyId\": \"%s\"}"
                            .formatted(b64(new byte[6145]), w.newKey())),
                    "ValidationException",
                    "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy"
                        + " constraint: Member must have length less than or equal to 6144")),
        clientError(
            "ReEncrypt from a disabled key: DisabledException",
            fromSourceAfter("DisableKey", "DisabledException", " is disabled.")),
        clientError(
            "ReEncrypt from a key pending deletion: KMSInvalidStateException",
            fromSourceAfter(
                "ScheduleKeyDeletion", "KMSInvalidStateException", " is pending deletion.")),
        clientError(
            "ReEncrypt by a user without permission: AccessDeniedException",
            w -> {
              ReKey k = ReKey.of(w);
              return new Refusal(
                  w.call("ReEncrypt", k.body(), EngineFixture.user("alice")),
                  "AccessDeniedException",
                  "User: arn:verenc:111122223333:user/alice is not authorized to perform:"
                      + " kms:ReEncryptFrom on resource: "
                      + arn(k.source())
                      + " because no resource-based policy allows the kms:ReEncryptFrom action");
            }),
        clientError(
            "ReEncrypt naming another source key than the blob's: IncorrectKeyException",
            w -> {
              ReKey k = ReKey.of(w);
              return new Refusal(
                  w.call("ReEncrypt", reEncryptBody(k.blob(), k.destination(), k.destination())),
                  "IncorrectKeyException",
                  "The key ID in the request does not identify a CMK that can perform this"
                      + " operation.");
            }),
        clientError(
            "ReEncrypt to a MAC key: InvalidKeyUsageException",
            w -> {
              ReKey k = ReKey.of(w);
              String mac =
                  w.ok(
                          "CreateKey",
                          "{\"KeySpec\": \"HMAC_256\", \"KeyUsage\": \"GENERATE_VERIFY_MAC\"}")
                      .get("KeyMetadata")
                      .get("KeyId")
                      .asText();
              return new Refusal(
                  w.call("ReEncrypt", reEncryptBody(k.blob(), k.source(), mac)),
                  "InvalidKeyUsageException",
                  arn(mac) + " key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.");
            }),
        clientError(
            "ReEncrypt as a dry run: DryRunOperationException",
            w ->
                new Refusal(
                    w.call("ReEncrypt", ReKey.of(w).bodyWith("\"DryRun\": true")),
                    "DryRunOperationException",
                    "The request would have succeeded, but the DryRun option is set.")),
        clientError(
            "ReEncrypt with a malformed grant token: InvalidGrantTokenException",
            w ->
                new Refusal(
                    w.call(
                        "ReEncrypt",
                        ReKey.of(w).bodyWith("\"GrantTokens\": [\"not-a-grant-token\"]")),
                    "InvalidGrantTokenException",
                    "The grant token is not valid.")),
        clientError(
            "ReEncrypt with the wrong source context: InvalidCiphertextException without message",
            w ->
                new Refusal(
                    w.call("ReEncrypt", ReKey.of(w, "{\"Department\": \"Legal\"}").body()),
                    "InvalidCiphertextException",
                    null)),
        clientError(
            "Decrypt of a tampered blob: InvalidCiphertextException without message",
            w -> {
              byte[] blob = Base64.getDecoder().decode(w.encrypt(w.newKey(), "data", "{}"));
              blob[blob.length - 1] ^= 1;
              return new Refusal(
                  w.call("Decrypt", "{\"CiphertextBlob\": \"%s\"}".formatted(b64(blob))),
                  "InvalidCiphertextException",
                  null);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clientErrors")
  void clientError_is400WithTheCodeAndMessage(Function<WireHarness, Refusal> scenario) {
    try (WireHarness w = new WireHarness()) {
      Refusal r = scenario.apply(w);
      assertError(r.response(), 400, r.code(), r.message());
    }
  }

  // ---- Server faults: 500 ---------------------------------------------------------------------

  @Test
  void reEncrypt_sealedStoreOnAFreshEngine_isKeyUnavailable500() {
    try (WireHarness w = new WireHarness()) {
      EngineFixture f = w.fixture;
      ReKey k = ReKey.of(w);
      // A fresh engine has no unwrapped material cached, so it must ask the sealed store.
      try (KmsEngine fresh = KmsEngine.builder().keyStore(f.store).clock(f.clock).build()) {
        f.store.seal();
        WireResponse r =
            new Dispatcher(fresh)
                .dispatch("TrentService.ReEncrypt", k.body().getBytes(), EngineFixture.root());
        assertError(r, 500, "KeyUnavailableException", "The key store is sealed");
      }
    }
  }

  @Test
  void reEncrypt_storeWriteHeldPastTheDeadline_isDependencyTimeout500() throws Exception {
    try (WireHarness w = new WireHarness(new EngineFixture(Duration.ofMillis(100)))) {
      ReKey k = ReKey.of(w);
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
            w.call("ReEncrypt", k.body()),
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

  /**
   * Encrypt with key {@code keyId}, seeded straight into the store with a {@code secretBytes}-byte
   * material wrapped for key {@code wrappedFor}: a damaged record the API could not have made.
   */
  private static WireResponse encryptWithSeededMaterial(
      WireHarness w, String keyId, String wrappedFor, int secretBytes) {
    StoreSeeder seeder = new StoreSeeder(w.fixture);
    seeder.symmetricKey(
        keyId,
        seeder.materialWrappedFor(
            KeyId.parse(wrappedFor),
            MaterialId.random(Randomness.current()),
            new byte[secretBytes]));
    return w.call(
        "Encrypt", "{\"KeyId\": \"%s\", \"Plaintext\": \"%s\"}".formatted(keyId, b64("x")));
  }

  @Test
  void encrypt_materialThatDoesNotAuthenticate_isKmsInternal500() {
    try (WireHarness w = new WireHarness()) {
      // Wrapped for another key ID: the root key's AAD binding makes it a damaged record here.
      assertError(
          encryptWithSeededMaterial(
              w,
              "1234abcd-12ab-34cd-56ef-1234567890ab",
              "0987dcba-09fe-87dc-65ba-ab0987654321",
              32),
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
      // A 16-byte secret for a 32-byte key spec: the engine fails with a non-API exception.
      assertError(
          encryptWithSeededMaterial(w, keyId, keyId, 16),
          500,
          "KMSInternalException",
          "An internal error occurred.");
    }
  }
}
