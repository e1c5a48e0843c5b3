package io.qkms.engine.credentials;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Principal;
import io.qkms.engine.api.errors.KeyUnavailableException;
import io.qkms.engine.internal.store.AccessKeyRecord;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AccessKeysTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Principal ALICE = Principal.user(ACCOUNT, "alice");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final InMemoryKeyStore store = InMemoryKeyStore.create(ACCOUNT, Region.of("us-east-1"));

  private AccessKeys keys() {
    return AccessKeys.of(store, TIMEOUT);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void create_givesAnAwsShapedIdAndSecret_andStoresOnlyTheWrappedSecret() {
    NewAccessKey k = keys().create(ALICE, NOW);

    assertThat(k.accessKeyId(), matchesPattern("AKIA[A-Z2-7]{16}"));
    assertThat(k.secretAccessKey(), matchesPattern("[A-Za-z0-9+/]{40}"));
    AccessKeyRecord stored = store.read(TIMEOUT).accessKey(k.accessKeyId());
    assertThat(stored.principalArn(), equalTo(ALICE.arn()));
    assertThat(stored.createDate(), equalTo(NOW));
    String wrapped = new String(stored.wrappedSecret(), StandardCharsets.ISO_8859_1);
    assertThat(wrapped.contains(k.secretAccessKey()), equalTo(false));
    byte[] unwrapped =
        store.materialProtector().unwrapCredential(k.accessKeyId(), stored.wrappedSecret());
    assertThat(new String(unwrapped, StandardCharsets.US_ASCII), equalTo(k.secretAccessKey()));
  }

  @Test
  void create_twice_givesDistinctKeys() {
    NewAccessKey a = keys().create(ALICE, NOW);
    NewAccessKey b = keys().create(ALICE, NOW);
    assertThat(a.accessKeyId(), not(equalTo(b.accessKeyId())));
    assertThat(a.secretAccessKey(), not(equalTo(b.secretAccessKey())));
  }

  @Test
  void create_principalOfAnotherAccount_isRejected_andNothingIsStored() {
    Principal mallory = Principal.user(AccountId.of("444455556666"), "mallory");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> keys().create(mallory, NOW));
    assertThat(
        e.getMessage(),
        equalTo(
            "The principal arn:verenc:444455556666:user/mallory is not of this key store's"
                + " account 111122223333"));
    assertThat(keys().list(), empty());
  }

  @Test
  void toString_neverShowsTheSecret() {
    NewAccessKey k = keys().create(ALICE, NOW);
    assertThat(k.toString().contains(k.secretAccessKey()), equalTo(false));
  }

  @Test
  void list_givesKeysInCreationOrder() {
    NewAccessKey a = keys().create(ALICE, NOW);
    NewAccessKey b = keys().create(Principal.root(ACCOUNT), NOW);
    assertThat(
        keys().list().stream().map(AccessKey::accessKeyId).toList(),
        contains(a.accessKeyId(), b.accessKeyId()));
  }

  @Test
  void signingSecret_givesTheSecretAndPrincipal_andNothingForAnUnknownKey() {
    NewAccessKey k = keys().create(ALICE, NOW);
    SigningSecret s = keys().signingSecret(k.accessKeyId()).orElseThrow();
    assertThat(s.principal(), equalTo(ALICE));
    assertThat(new String(s.secret(), StandardCharsets.US_ASCII), equalTo(k.secretAccessKey()));
    assertThat(s.toString().contains(k.secretAccessKey()), equalTo(false));
    assertThat(keys().signingSecret("AKIAAAAAAAAAAAAAAAAA").isPresent(), equalTo(false));
  }

  @Test
  void signingSecret_ofASealedStore_isKeyUnavailable() {
    NewAccessKey k = keys().create(ALICE, NOW);
    store.seal();
    assertThrows(KeyUnavailableException.class, () -> keys().signingSecret(k.accessKeyId()));
  }

  @Test
  void accountId_isTheStoresAccount() {
    assertThat(keys().accountId(), equalTo(ACCOUNT));
  }

  @Test
  void delete_removesTheKey_andAnUnknownKeyIsReported() {
    NewAccessKey k = keys().create(ALICE, NOW);
    assertThat(keys().delete(k.accessKeyId()), equalTo(true));
    assertThat(keys().list(), empty());
    assertThat(keys().delete(k.accessKeyId()), equalTo(false));
  }
}
