package io.qkms.engine.internal.crypto;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CiphertextFormatTest {
  private static final KeyId KEY_ID = KeyId.parse("1234abcd-12ab-34cd-56ef-1234567890ab");
  private static final KeyId MRK_ID = KeyId.parse("mrk-1234abcd12ab34cd56ef1234567890ab");
  private static final MaterialId MATERIAL_ID =
      MaterialId.parse("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  private static final byte[] PLAINTEXT = "secret".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CONTEXT = EncryptionContextCodec.encode(Map.of("Dept", "Finance"));
  private static final int MIN_BLOB = 75 + 1 + 16;
  private static final int MAX_BLOB = 75 + 4096 + 16;

  /** Each test gets its own key: the JDK refuses to repeat a GCM encryption under key and IV. */
  private static final AtomicInteger KEYS = new AtomicInteger();

  private final Xaes256Gcm.Key key = newKey();

  private static Xaes256Gcm.Key newKey() {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 0x33);
    k[0] = (byte) KEYS.incrementAndGet();
    return Xaes256Gcm.newKey(k);
  }

  /** Hands out a fixed byte pattern, so the nonce in a blob is known. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte fill;

    FixedRandom(int fill) {
      this.fill = (byte) fill;
    }

    @Override
    public void nextBytes(byte[] bytes) {
      Arrays.fill(bytes, fill);
    }
  }

  private byte[] encrypt(KeyId id, byte[] plaintext, byte[] context) {
    return CiphertextFormat.encrypt(
        key, id, MATERIAL_ID, plaintext, context, new FixedRandom(0xA5));
  }

  private static byte[] validBlobShape(int length) {
    byte[] blob = new byte[length];
    blob[0] = 0x51;
    blob[1] = 0x01;
    blob[2] = 0x01;
    return blob;
  }

  @Test
  void sizes_areHeader75AndOverhead91() {
    assertThat(CiphertextFormat.HEADER_SIZE_BYTES, equalTo(75));
    assertThat(CiphertextFormat.OVERHEAD_BYTES, equalTo(91));
    assertThat(CiphertextFormat.MAX_PLAINTEXT_BYTES, equalTo(4096));
  }

  @Test
  void encrypt_writesTheDocumentedHeaderLayout() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    assertThat(blob.length, equalTo(75 + PLAINTEXT.length + 16));
    assertThat(blob[0], equalTo((byte) 'Q'));
    assertThat(blob[1], equalTo((byte) 1));
    assertThat(blob[2], equalTo((byte) 1));
    assertThat(Arrays.copyOfRange(blob, 3, 19), equalTo(KEY_ID.toBytes()));
    byte[] material = new byte[32];
    MATERIAL_ID.writeBytes(material, 0);
    assertThat(Arrays.copyOfRange(blob, 19, 51), equalTo(material));
    byte[] nonce = new byte[24];
    Arrays.fill(nonce, (byte) 0xA5);
    assertThat(Arrays.copyOfRange(blob, 51, 75), equalTo(nonce));
  }

  @Test
  void encrypt_multiRegionKey_writesKind2AndTheMrkBytes() {
    byte[] blob = encrypt(MRK_ID, PLAINTEXT, CONTEXT);
    assertThat(blob[2], equalTo((byte) 2));
    assertThat(Arrays.copyOfRange(blob, 3, 19), equalTo(MRK_ID.toBytes()));
  }

  @Test
  void encrypt_bodyIsXaesOverHeaderFollowedByContext() throws Exception {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    byte[] header = Arrays.copyOf(blob, 75);
    byte[] aad = Arrays.copyOf(header, 75 + CONTEXT.length);
    System.arraycopy(CONTEXT, 0, aad, 75, CONTEXT.length);
    byte[] opened =
        Xaes256Gcm.open(
            key, Arrays.copyOfRange(blob, 51, 75), aad, Arrays.copyOfRange(blob, 75, blob.length));
    assertThat(opened, equalTo(PLAINTEXT));
  }

  @Test
  void parseHeader_ofEncryptedBlob_returnsKeyAndMaterial() throws Exception {
    CiphertextFormat.Header h = CiphertextFormat.parseHeader(encrypt(KEY_ID, PLAINTEXT, CONTEXT));
    assertThat(h.keyId(), equalTo(KEY_ID));
    assertThat(h.materialId(), equalTo(MATERIAL_ID));
  }

  @Test
  void parseHeader_ofMultiRegionBlob_returnsTheMrkKeyId() throws Exception {
    CiphertextFormat.Header h = CiphertextFormat.parseHeader(encrypt(MRK_ID, PLAINTEXT, CONTEXT));
    assertThat(h.keyId(), equalTo(MRK_ID));
    assertThat(h.keyId().value(), equalTo("mrk-1234abcd12ab34cd56ef1234567890ab"));
  }

  @Test
  void decrypt_roundTrip_returnsPlaintext() throws Exception {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    assertThat(CiphertextFormat.decrypt(key, blob, CONTEXT), equalTo(PLAINTEXT));
  }

  @Test
  void decrypt_largestPlaintext_roundTrips() throws Exception {
    byte[] pt = new byte[4096];
    Arrays.fill(pt, (byte) 'x');
    byte[] blob = encrypt(KEY_ID, pt, CONTEXT);
    assertThat(blob.length, equalTo(MAX_BLOB));
    assertThat(CiphertextFormat.decrypt(key, blob, CONTEXT), equalTo(pt));
  }

  @Test
  void decrypt_otherContext_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    byte[] other = EncryptionContextCodec.encode(Map.of("Dept", "Finance2"));
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, blob, other));
  }

  @Test
  void decrypt_contextMissing_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    byte[] none = EncryptionContextCodec.encode(null);
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, blob, none));
  }

  @Test
  void decrypt_otherKey_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    assertThrows(
        BadCiphertextException.class, () -> CiphertextFormat.decrypt(newKey(), blob, CONTEXT));
  }

  /**
   * The positions in {@code [from, to)} where the blob, with that byte XORed with {@code mask},
   * still decrypts.
   */
  private List<Integer> positionsStillDecrypting(byte[] blob, int from, int to, int mask) {
    List<Integer> accepted = new ArrayList<>();
    for (int i = from; i < to; i++) {
      byte[] tampered = blob.clone();
      tampered[i] ^= (byte) mask;
      try {
        CiphertextFormat.decrypt(key, tampered, CONTEXT);
        accepted.add(i);
      } catch (BadCiphertextException expected) {
        // as required
      }
    }
    return accepted;
  }

  /** The whole header is associated data: changing any of its 75 bytes must fail. */
  @Test
  void decrypt_anyHeaderByteChanged_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    assertThat(positionsStillDecrypting(blob, 0, 75, 0x01), equalTo(List.of()));
  }

  @Test
  void decrypt_anyBodyByteChanged_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    assertThat(positionsStillDecrypting(blob, 75, blob.length, 0x40), equalTo(List.of()));
  }

  @Test
  void decrypt_lastByteCutOff_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    byte[] cut = Arrays.copyOf(blob, blob.length - 1);
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, cut, CONTEXT));
  }

  @Test
  void decrypt_byteAppended_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    byte[] longer = Arrays.copyOf(blob, blob.length + 1);
    assertThrows(
        BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, longer, CONTEXT));
  }

  @Test
  void decrypt_blobShorterThanHeader_isBadCiphertext() {
    byte[] blob = Arrays.copyOf(encrypt(KEY_ID, PLAINTEXT, CONTEXT), 60);
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, blob, CONTEXT));
  }

  @Test
  void decrypt_uuidBlobRelabelledAsMultiRegion_isBadCiphertext() {
    byte[] blob = encrypt(KEY_ID, PLAINTEXT, CONTEXT);
    blob[2] = 0x02; // same 16 bytes, other kind: still another key
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.decrypt(key, blob, CONTEXT));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x50, 0x52, 0x71, 0xFF})
  void parseHeader_wrongMagic_isBadCiphertext(int magic) {
    byte[] blob = validBlobShape(100);
    blob[0] = (byte) magic;
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(blob));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x02, 0x7F, 0xFF})
  void parseHeader_unknownVersion_isBadCiphertext(int version) {
    byte[] blob = validBlobShape(100);
    blob[1] = (byte) version;
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(blob));
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x03, 0x7F, 0x81, 0xFF})
  void parseHeader_unknownKind_isBadCiphertext(int kind) {
    byte[] blob = validBlobShape(100);
    blob[2] = (byte) kind;
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(blob));
  }

  /** Below the smallest real blob (75-byte header, 1-byte plaintext, 16-byte tag). */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 18, 19, 50, 51, 74, 75, 76, 90, 91})
  void parseHeader_tooShort_isBadCiphertext(int length) {
    byte[] blob = validBlobShape(Math.max(length, 3));
    byte[] cut = Arrays.copyOf(blob, length);
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(cut));
  }

  @ParameterizedTest
  @ValueSource(ints = {MIN_BLOB, MIN_BLOB + 1, MAX_BLOB - 1, MAX_BLOB})
  void parseHeader_lengthWithinBounds_isAccepted(int length) throws Exception {
    CiphertextFormat.Header h = CiphertextFormat.parseHeader(validBlobShape(length));
    assertThat(h.keyId().value(), equalTo("00000000-0000-0000-0000-000000000000"));
  }

  @ParameterizedTest
  @ValueSource(ints = {MAX_BLOB + 1, MAX_BLOB + 16, 6144, 65536})
  void parseHeader_tooLong_isBadCiphertext(int length) {
    byte[] blob = validBlobShape(length);
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(blob));
  }

  @Test
  void parseHeader_null_isBadCiphertext() {
    assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(null));
  }

  @Test
  void badCiphertextException_saysNothing() {
    BadCiphertextException e =
        assertThrows(BadCiphertextException.class, () -> CiphertextFormat.parseHeader(new byte[5]));
    assertThat(e.getMessage(), equalTo(null));
    assertThat(e.getStackTrace().length, equalTo(0));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 4097})
  void encrypt_plaintextOutsideOneTo4096_isRejected(int size) {
    assertRefused(
        () -> encrypt(KEY_ID, new byte[size], CONTEXT), "Plaintext must be 1..4096 bytes");
  }

  @Test
  void encrypt_oneBytePlaintext_isTheSmallestBlob() throws Exception {
    byte[] blob = encrypt(KEY_ID, new byte[] {7}, CONTEXT);
    assertThat(blob.length, equalTo(MIN_BLOB));
    assertThat(CiphertextFormat.decrypt(key, blob, CONTEXT), equalTo(new byte[] {7}));
  }
}
