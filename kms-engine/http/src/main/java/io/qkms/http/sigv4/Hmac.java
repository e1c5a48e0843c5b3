package io.qkms.http.sigv4;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and SHA-256 with one JCA instance per thread (getInstance is a provider lookup). */
final class Hmac {
  private static final ThreadLocal<Mac> MAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
            }
          });
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("SHA-256 is missing from this JVM", e);
            }
          });

  private Hmac() {}

  static byte[] sha256(byte[] key, String data) {
    byte[] d = data.getBytes(StandardCharsets.UTF_8);
    return sha256(key, d, 0, d.length);
  }

  static byte[] sha256(byte[] key, byte[] data, int offset, int length) {
    Mac mac = MAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    mac.update(data, offset, length);
    return mac.doFinal();
  }

  /** The thread's SHA-256 digest, reset. */
  static MessageDigest digest() {
    MessageDigest d = SHA256.get();
    d.reset();
    return d;
  }
}
