package io.qkms.engine.credentials;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Principal;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.Randomness;
import io.qkms.engine.internal.store.AccessKeyRecord;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.internal.store.StoreErrors;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.store.KeyStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The access keys of the HTTP endpoint, kept in the key store: an ID shaped like AWS's ({@code
 * AKIA} and 16 base32 characters), the principal whose calls it signs, and a 40-character secret
 * that the store keeps only wrapped (bound to the access key ID, apart from key material). The
 * secret is shown once, when the key is created; the endpoint asks for it by {@link
 * #signingSecret}. Store failures are the API's errors, as for the engine's operations
 * (DependencyTimeoutException, KeyUnavailableException, KMSInternalException).
 */
public final class AccessKeys {
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private final StateStore store;
  private final Duration timeout;

  private AccessKeys(StateStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  /** The access keys of {@code store}, each call waiting for it at most {@code timeout}. */
  public static AccessKeys of(KeyStore store, Duration timeout) {
    return new AccessKeys(
        StateStore.of(Objects.requireNonNull(store, "store")),
        Objects.requireNonNull(timeout, "timeout"));
  }

  /** The access keys of {@code store}, with the engine's default store timeout. */
  public static AccessKeys of(KeyStore store) {
    return of(store, KmsEngine.DEFAULT_STORE_TIMEOUT);
  }

  /** The store's account: access keys are for its principals only. */
  public AccountId accountId() {
    return StoreErrors.guard(() -> store.read(timeout)).account();
  }

  /** As {@link #create(Principal, Instant)}, created now. */
  public NewAccessKey create(Principal principal) {
    return create(principal, Instant.now());
  }

  /**
   * Creates an access key for {@code principal} and stores it (secret wrapped).
   *
   * @throws IllegalArgumentException if the principal belongs to another account than the store's
   */
  public NewAccessKey create(Principal principal, Instant now) {
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
    StoreErrors.guard(
        () ->
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
                }));
    return new NewAccessKey(id, secret, principal, now);
  }

  /** Every access key of the store, oldest first (never their secrets). */
  public List<AccessKey> list() {
    return StoreErrors.guard(() -> store.read(timeout)).accessKeys().stream()
        .map(r -> new AccessKey(r.accessKeyId(), r.principalArn(), r.createDate()))
        .toList();
  }

  /**
   * Deletes an access key; requests it signs are refused once the server looks it up again.
   *
   * @return false if the store has no such key
   */
  public boolean delete(String accessKeyId) {
    boolean[] found = new boolean[1];
    StoreErrors.guard(
        () ->
            store.update(
                timeout,
                s -> {
                  found[0] = s.accessKey(accessKeyId) != null;
                  return found[0] ? s.withoutAccessKey(accessKeyId) : s;
                }));
    return found[0];
  }

  /**
   * The secret that signs requests with {@code accessKeyId}, and whose calls they are; empty if the
   * store has no such key. The caller zeroes {@link SigningSecret#secret()} when done with it.
   *
   * @throws IllegalStateException if the stored key names no valid principal (a damaged store)
   */
  public Optional<SigningSecret> signingSecret(String accessKeyId) {
    AccessKeyRecord r = StoreErrors.guard(() -> store.read(timeout)).accessKey(accessKeyId);
    if (r == null) {
      return Optional.empty();
    }
    Principal principal = Principal.tryParse(r.principalArn());
    if (principal == null) {
      throw new IllegalStateException(
          "The access key " + accessKeyId + " names an invalid principal");
    }
    byte[] secret =
        StoreErrors.guard(
            () -> store.materialProtector().unwrapCredential(r.accessKeyId(), r.wrappedSecret()));
    return Optional.of(new SigningSecret(r.accessKeyId(), principal, secret));
  }

  private static String newAccessKeyId(SecureRandom random) {
    StringBuilder id = new StringBuilder("AKIA");
    for (int i = 0; i < 16; i++) {
      id.append(BASE32.charAt(random.nextInt(BASE32.length())));
    }
    return id.toString();
  }
}
