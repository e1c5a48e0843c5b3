package io.qkms.http.credentials;

import io.qkms.engine.api.Principal;
import io.qkms.engine.crypto.Bytes;
import io.qkms.engine.crypto.Randomness;
import io.qkms.engine.store.AccessKeyRecord;
import io.qkms.engine.store.KeyStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The access keys of the HTTP endpoint, kept in the key store: an ID shaped like AWS's ({@code
 * AKIA} and 16 base32 characters), the principal whose calls it signs, and a 40-character secret
 * that the store keeps only wrapped. The secret is shown once, when the key is created.
 */
public final class AccessKeys {
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private AccessKeys() {}

  /** A new access key: the only value that ever carries the secret in clear. */
  public record NewAccessKey(
      String accessKeyId, String secretAccessKey, Principal principal, Instant createDate) {
    public NewAccessKey {
      Objects.requireNonNull(accessKeyId, "accessKeyId");
      Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      Objects.requireNonNull(principal, "principal");
      Objects.requireNonNull(createDate, "createDate");
    }

    @Override
    public String toString() {
      return "NewAccessKey[" + accessKeyId + ", " + principal + ", " + createDate + "]";
    }
  }

  /**
   * Creates an access key for {@code principal} and stores it (secret wrapped).
   *
   * @throws IllegalArgumentException if the principal belongs to another account than the store's
   */
  public static NewAccessKey create(
      KeyStore store, Duration timeout, Principal principal, Instant now) {
    Objects.requireNonNull(principal, "principal");
    SecureRandom random = Randomness.current();
    String id = newAccessKeyId(random);
    byte[] secretBytes = new byte[30]; // 30 bytes are exactly 40 base64 characters, no padding
    random.nextBytes(secretBytes);
    String secret = Base64.getEncoder().encodeToString(secretBytes);
    Bytes.zero(secretBytes);
    byte[] clear = secret.getBytes(StandardCharsets.US_ASCII);
    byte[] wrapped;
    try {
      wrapped = store.materialProtector().wrapCredential(id, clear);
    } finally {
      Bytes.zero(clear);
    }
    AccessKeyRecord record = new AccessKeyRecord(id, principal.arn(), wrapped, now);
    store.update(
        timeout,
        s -> {
          if (!principal.account().equals(s.account())) {
            throw new IllegalArgumentException(
                "The principal "
                    + principal.arn()
                    + " is not of this key store's account "
                    + s.account());
          }
          return s.withAccessKey(record);
        });
    return new NewAccessKey(id, secret, principal, now);
  }

  /** Every access key of the store, oldest first (secrets stay wrapped). */
  public static List<AccessKeyRecord> list(KeyStore store, Duration timeout) {
    return List.copyOf(store.read(timeout).accessKeys());
  }

  /**
   * Deletes an access key; requests it signs are refused once the server rereads the store.
   *
   * @return false if the store has no such key
   */
  public static boolean delete(KeyStore store, Duration timeout, String accessKeyId) {
    boolean[] found = new boolean[1];
    store.update(
        timeout,
        s -> {
          found[0] = s.accessKey(accessKeyId) != null;
          return found[0] ? s.withoutAccessKey(accessKeyId) : s;
        });
    return found[0];
  }

  private static String newAccessKeyId(SecureRandom random) {
    StringBuilder id = new StringBuilder("AKIA");
    for (int i = 0; i < 16; i++) {
      id.append(BASE32.charAt(random.nextInt(BASE32.length())));
    }
    return id.toString();
  }
}
