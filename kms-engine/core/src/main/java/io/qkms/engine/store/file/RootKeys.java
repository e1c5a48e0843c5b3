package io.qkms.engine.store.file;

import io.qkms.engine.internal.crypto.Bytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The keys a file store derives from its root key with HKDF-SHA256 (salt: the store ID), one per
 * purpose, so the key that encrypts the store file never wraps key material and vice versa; and a
 * short key-check value that tells a wrong root key from a damaged file. The key check depends on
 * the root key only, not on the store ID: a modified store ID must read as a damaged file, not as a
 * wrong root key.
 */
final class RootKeys implements AutoCloseable {
  static final int ROOT_KEY_SIZE_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] CHECK_SALT = "qkms/keystore".getBytes(StandardCharsets.US_ASCII);

  final byte[] stateKey;
  final byte[] materialKey;
  private final byte[] checkKey;
  final byte[] auditKey;

  private RootKeys(byte[] rootKey, String storeId) {
    byte[] salt = storeId.getBytes(StandardCharsets.US_ASCII);
    stateKey = hkdf(rootKey, salt, "qkms/keystore/state/v1");
    materialKey = hkdf(rootKey, salt, "qkms/keystore/material/v1");
    checkKey = hkdf(rootKey, CHECK_SALT, "qkms/keystore/check/v1");
    auditKey = hkdf(rootKey, salt, "qkms/audit/digest/v1");
  }

  /** Derives the purpose keys; does not keep {@code rootKey}. */
  static RootKeys derive(byte[] rootKey, String storeId) {
    if (rootKey.length != ROOT_KEY_SIZE_BYTES) {
      throw new IllegalArgumentException("A root key is 32 bytes");
    }
    return new RootKeys(rootKey, storeId);
  }

  /** Argon2id of a passphrase, as RFC 9106 describes, into a 32-byte root key. */
  static byte[] stretch(char[] passphrase, KdfParams p) {
    Argon2Parameters params =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(p.salt())
            .withMemoryAsKB(p.memoryKiB())
            .withIterations(p.iterations())
            .withParallelism(p.parallelism())
            .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[ROOT_KEY_SIZE_BYTES];
    gen.generateBytes(passphrase, out);
    return out;
  }

  /** 16 bytes of HMAC over a fixed label, hex: equal only for the same root key and store. */
  String keyCheck() {
    HMac mac = new HMac(new SHA256Digest());
    mac.init(new KeyParameter(checkKey));
    byte[] label = "qkms/keystore/key-check".getBytes(StandardCharsets.US_ASCII);
    mac.update(label, 0, label.length);
    byte[] out = new byte[32];
    mac.doFinal(out, 0);
    return HEX.formatHex(out, 0, 16);
  }

  boolean checks(String expected) {
    return MessageDigest.isEqual(
        keyCheck().getBytes(StandardCharsets.US_ASCII),
        expected.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
    HKDFBytesGenerator gen = new HKDFBytesGenerator(new SHA256Digest());
    gen.init(new HKDFParameters(ikm, salt, info.getBytes(StandardCharsets.US_ASCII)));
    byte[] out = new byte[32];
    gen.generateBytes(out, 0, out.length);
    return out;
  }

  @Override
  public void close() {
    Bytes.zero(stateKey);
    Bytes.zero(materialKey);
    Bytes.zero(checkKey);
    Bytes.zero(auditKey);
  }
}
