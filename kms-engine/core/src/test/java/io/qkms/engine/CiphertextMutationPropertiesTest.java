package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.KeyMetadata;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import io.qkms.engine.keys.KeyId;
import io.qkms.engine.testing.EngineFixture;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * No mutation of a valid blob gets past the engine: a flipped bit anywhere (the key ID included: a
 * blob naming a key the region does not hold is foreign), a cut or appended bytes make ReEncrypt
 * and Decrypt fail with InvalidCiphertextException and nothing else, and the key stays usable. When
 * the caller also names the source key, a changed key ID is caught earlier, by the SourceKeyId
 * check, as IncorrectKeyException; the last property pins that.
 */
class CiphertextMutationPropertiesTest {
  private static final int KEY_ID_OFFSET = 3;
  private static final int KEY_ID_BITS = 8 * KeyId.BINARY_SIZE_BYTES;
  private static final Map<String, String> CONTEXT = Map.of("purpose", "property");

  private EngineFixture f;
  private KeyMetadata key;
  private KeyMetadata destination;

  @BeforeProperty
  void setUp() {
    f = new EngineFixture();
    key = f.symmetricKey();
    destination = f.symmetricKey();
  }

  @AfterProperty
  void tearDown() {
    f.close();
  }

  /** A change to a blob of a known plaintext. */
  sealed interface Mutation {
    byte[] apply(byte[] blob);
  }

  record FlipBit(int bit) implements Mutation {
    @Override
    public byte[] apply(byte[] blob) {
      byte[] out = blob.clone();
      out[bit / 8] ^= (byte) (1 << (bit % 8));
      return out;
    }
  }

  record Truncate(int length) implements Mutation {
    @Override
    public byte[] apply(byte[] blob) {
      return Arrays.copyOf(blob, length);
    }
  }

  record Append(byte[] extra) implements Mutation {
    @Override
    public byte[] apply(byte[] blob) {
      byte[] out = Arrays.copyOf(blob, blob.length + extra.length);
      System.arraycopy(extra, 0, out, blob.length, extra.length);
      return out;
    }

    @Override
    public String toString() {
      return "Append[" + extra.length + " bytes]";
    }
  }

  record Case(byte[] plaintext, Mutation mutation) {
    @Override
    public String toString() {
      return "Case[plaintext=" + plaintext.length + " bytes, " + mutation + "]";
    }
  }

  @Provide
  Arbitrary<Case> mutatedBlobs() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMinSize(1)
        .ofMaxSize(160)
        .flatMap(
            plaintext -> {
              int length = CiphertextFormat.OVERHEAD_BYTES + plaintext.length;
              Arbitrary<Mutation> flips =
                  Arbitraries.integers().between(0, 8 * length - 1).map(FlipBit::new);
              // Down to one byte: an empty blob is a ValidationException by the API's length rule.
              Arbitrary<Mutation> cuts =
                  Arbitraries.integers().between(1, length - 1).map(Truncate::new);
              Arbitrary<Mutation> appends =
                  Arbitraries.bytes()
                      .array(byte[].class)
                      .ofMinSize(1)
                      .ofMaxSize(64)
                      .map(Append::new);
              return Arbitraries.oneOf(flips, cuts, appends).map(m -> new Case(plaintext, m));
            });
  }

  private byte[] encrypt(byte[] plaintext) {
    return f.encrypt(key.keyId(), plaintext, CONTEXT);
  }

  private void assertKeyStillDecrypts(byte[] blob, byte[] plaintext) {
    assertThat(Arrays.equals(f.decrypt(blob, CONTEXT), plaintext), equalTo(true));
  }

  /** ReEncrypt and Decrypt both refuse {@code bad} as InvalidCiphertextException. */
  private void assertInvalidForReEncryptAndDecrypt(byte[] bad) {
    Expect.invalidCiphertext(
        () ->
            f.engine.reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .ciphertextBlob(bad)
                    .sourceEncryptionContext(CONTEXT)
                    .destinationKeyId(destination.keyId())
                    .build()));
    Expect.invalidCiphertext(
        () ->
            f.engine.decrypt(
                ROOT,
                DecryptRequest.builder().ciphertextBlob(bad).encryptionContext(CONTEXT).build()));
  }

  @Property(tries = 400)
  void anyMutation_isInvalidCiphertextForReEncryptAndDecrypt(@ForAll("mutatedBlobs") Case c) {
    byte[] blob = encrypt(c.plaintext());
    byte[] bad = c.mutation().apply(blob);

    assertInvalidForReEncryptAndDecrypt(bad);
    assertKeyStillDecrypts(blob, c.plaintext());
  }

  @Property(tries = KEY_ID_BITS, generation = GenerationMode.EXHAUSTIVE)
  void flippedKeyIdBit_isInvalidCiphertext(
      @ForAll @IntRange(min = 0, max = KEY_ID_BITS - 1) int bit) {
    byte[] blob = encrypt(Canary.bytes());
    byte[] bad = new FlipBit(8 * KEY_ID_OFFSET + bit).apply(blob);
    assertInvalidForReEncryptAndDecrypt(bad);
    assertKeyStillDecrypts(blob, Canary.bytes());
  }

  @Property(tries = KEY_ID_BITS, generation = GenerationMode.EXHAUSTIVE)
  void flippedKeyIdBit_withSourceKeyId_isIncorrectKey(
      @ForAll @IntRange(min = 0, max = KEY_ID_BITS - 1) int bit) {
    byte[] bad = new FlipBit(8 * KEY_ID_OFFSET + bit).apply(encrypt(Canary.bytes()));
    Expect.fails(
        IncorrectKeyException.class,
        "The key ID in the request does not identify a CMK that can perform this operation.",
        () ->
            f.engine.reEncrypt(
                ROOT,
                ReEncryptRequest.builder()
                    .ciphertextBlob(bad)
                    .sourceKeyId(key.keyId())
                    .sourceEncryptionContext(CONTEXT)
                    .destinationKeyId(destination.keyId())
                    .build()));
  }
}
