package io.qkms.http.sigv4;

import io.qkms.engine.api.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An access key the verifier may check a signature against: its ID, the principal it signs for, and
 * its secret, held as {@code "AWS4" + secret} (the start of SigV4's key derivation). Derived
 * signing keys are cached per credential scope ({@code date/region/service/aws4_request}), so a
 * request costs one HMAC for its signature, not five. Thread-safe.
 */
public final class SigningCredential {
  /** Scopes change daily; a handful are live at once (two dates around midnight, each region). */
  private static final int MAX_CACHED_SCOPES = 64;

  private final String accessKeyId;
  private final Principal principal;
  private final byte[] kSecret;
  private final ConcurrentHashMap<String, byte[]> signingKeys = new ConcurrentHashMap<>();

  /**
   * @param secretAccessKey the secret, as the client has it; this object keeps its own copy
   */
  public SigningCredential(String accessKeyId, Principal principal, byte[] secretAccessKey) {
    this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
    this.principal = Objects.requireNonNull(principal, "principal");
    byte[] prefix = "AWS4".getBytes(StandardCharsets.US_ASCII);
    this.kSecret = Arrays.copyOf(prefix, prefix.length + secretAccessKey.length);
    System.arraycopy(secretAccessKey, 0, kSecret, prefix.length, secretAccessKey.length);
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public Principal principal() {
    return principal;
  }

  /**
   * The signing key of a scope, derived once: HMAC chain over date, region, service and {@code
   * aws4_request}.
   */
  byte[] signingKey(String scope, String date, String region, String service) {
    byte[] key = signingKeys.get(scope);
    if (key == null) {
      byte[] k = Hmac.sha256(kSecret, date);
      k = Hmac.sha256(k, region);
      k = Hmac.sha256(k, service);
      key = Hmac.sha256(k, "aws4_request");
      if (signingKeys.size() >= MAX_CACHED_SCOPES) {
        signingKeys.clear();
      }
      signingKeys.put(scope, key);
    }
    return key;
  }

  /** Whether this credential holds {@code secretAccessKey} (compared in constant time). */
  public boolean holds(byte[] secretAccessKey) {
    byte[] candidate = Arrays.copyOf(kSecret, kSecret.length);
    try {
      System.arraycopy(
          secretAccessKey, 0, candidate, 4, Math.min(secretAccessKey.length, kSecret.length - 4));
      return secretAccessKey.length == kSecret.length - 4
          && MessageDigest.isEqual(candidate, kSecret);
    } finally {
      Arrays.fill(candidate, (byte) 0);
    }
  }

  /** Zeroes the secret and the derived keys; the credential verifies nothing afterwards. */
  public void destroy() {
    Arrays.fill(kSecret, (byte) 0);
    signingKeys.values().forEach(k -> Arrays.fill(k, (byte) 0));
    signingKeys.clear();
  }

  @Override
  public String toString() {
    return "SigningCredential[" + accessKeyId + ", " + principal + "]"; // never the secret
  }
}
