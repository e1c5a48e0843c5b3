package io.qkms.engine.internal.crypto;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * The QKMS symmetric ciphertext blob, version 1. All integers are big-endian.
 *
 * <pre>
 * offset size field
 *  0      1   magic 0x51 ('Q')
 *  1      1   format version 0x01
 *  2      1   key ID kind: 0x01 UUID key ID, 0x02 multi-region (mrk-) key ID
 *  3     16   key ID, binary
 * 19     32   key material ID
 * 51     24   XAES-256-GCM nonce (see Xaes256Gcm for how a thread chooses it)
 * 75      n   ciphertext, n = plaintext length (1..4096)
 * 75+n   16   GCM tag
 * </pre>
 *
 * The associated data is the 75-byte header followed by the canonical encryption context ({@link
 * EncryptionContextCodec}), so neither the key, the material, the nonce nor the context can be
 * changed without failing authentication. Parsing is strict: a wrong magic, an unknown version or
 * kind, or a length outside the range a real blob can have is rejected before any decryption; a
 * blob with bytes cut off or appended fails authentication.
 */
public final class CiphertextFormat {
  static final byte MAGIC = 0x51;
  static final byte VERSION_1 = 0x01;
  static final byte KIND_UUID = 0x01;
  static final byte KIND_MULTI_REGION = 0x02;

  private static final int KEY_ID_OFFSET = 3;
  private static final int MATERIAL_ID_OFFSET = KEY_ID_OFFSET + KeyId.BINARY_SIZE_BYTES;
  private static final int NONCE_OFFSET = MATERIAL_ID_OFFSET + MaterialId.SIZE_BYTES;

  /** Size of the cleartext header. */
  public static final int HEADER_SIZE_BYTES = NONCE_OFFSET + Xaes256Gcm.NONCE_SIZE_BYTES;

  /** Bytes a blob adds to its plaintext. */
  public static final int OVERHEAD_BYTES = HEADER_SIZE_BYTES + Xaes256Gcm.TAG_SIZE_BYTES;

  /** The largest plaintext a blob may hold (the Encrypt limit). */
  public static final int MAX_PLAINTEXT_BYTES = 4096;

  private CiphertextFormat() {}

  /** What the cleartext header says. */
  public record Header(KeyId keyId, MaterialId materialId) {}

  /**
   * Reads the header of {@code blob} after checking everything that can be checked without a key.
   *
   * @throws BadCiphertextException if it cannot be a version 1 blob
   */
  public static Header parseHeader(byte[] blob) throws BadCiphertextException {
    if (blob == null
        || blob.length < OVERHEAD_BYTES + 1
        || blob.length > OVERHEAD_BYTES + MAX_PLAINTEXT_BYTES
        || blob[0] != MAGIC
        || blob[1] != VERSION_1
        || (blob[2] != KIND_UUID && blob[2] != KIND_MULTI_REGION)) {
      throw new BadCiphertextException();
    }
    KeyId keyId = KeyId.fromBytes(blob, KEY_ID_OFFSET, blob[2] == KIND_MULTI_REGION);
    return new Header(keyId, MaterialId.fromBytes(blob, MATERIAL_ID_OFFSET));
  }

  /**
   * Encrypts {@code plaintext} (1..4096 bytes) under {@code key}, naming {@code keyId} and {@code
   * materialId} in the header.
   */
  public static byte[] encrypt(
      Xaes256Gcm.Key key,
      KeyId keyId,
      MaterialId materialId,
      byte[] plaintext,
      byte[] encodedContext,
      SecureRandom random) {
    if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new IllegalArgumentException("Plaintext must be 1..4096 bytes");
    }
    byte[] blob = new byte[OVERHEAD_BYTES + plaintext.length];
    blob[0] = MAGIC;
    blob[1] = VERSION_1;
    blob[2] = keyId.isMultiRegion() ? KIND_MULTI_REGION : KIND_UUID;
    keyId.writeBytes(blob, KEY_ID_OFFSET);
    materialId.writeBytes(blob, MATERIAL_ID_OFFSET);
    try {
      Xaes256Gcm.sealWithFreshNonce(
          key,
          random,
          blob,
          NONCE_OFFSET,
          blob,
          0,
          HEADER_SIZE_BYTES,
          encodedContext,
          plaintext,
          0,
          plaintext.length,
          HEADER_SIZE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    return blob;
  }

  /**
   * Decrypts a blob whose header was checked by {@link #parseHeader} and whose key is {@code key}.
   * The caller owns (and must zero) the returned plaintext.
   *
   * @throws BadCiphertextException if it does not authenticate under this key and context
   */
  public static byte[] decrypt(Xaes256Gcm.Key key, byte[] blob, byte[] encodedContext)
      throws BadCiphertextException {
    try {
      return Xaes256Gcm.open(
          key,
          blob,
          NONCE_OFFSET,
          blob,
          0,
          HEADER_SIZE_BYTES,
          encodedContext,
          blob,
          HEADER_SIZE_BYTES,
          blob.length - HEADER_SIZE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new BadCiphertextException();
    }
  }
}
