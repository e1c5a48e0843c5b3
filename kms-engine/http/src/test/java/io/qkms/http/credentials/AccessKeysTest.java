package io.qkms.http.credentials;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.AccessKeyRecord;
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

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void create_givesAnAwsShapedIdAndSecret_andStoresOnlyTheWrappedSecret() {
    AccessKeys.NewAccessKey k = AccessKeys.create(store, TIMEOUT, ALICE, NOW);

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
    AccessKeys.NewAccessKey a = AccessKeys.create(store, TIMEOUT, ALICE, NOW);
    AccessKeys.NewAccessKey b = AccessKeys.create(store, TIMEOUT, ALICE, NOW);
    assertThat(a.accessKeyId(), not(equalTo(b.accessKeyId())));
    assertThat(a.secretAccessKey(), not(equalTo(b.secretAccessKey())));
  }

  @Test
  void create_principalOfAnotherAccount_isRejected_andNothingIsStored() {
    Principal mallory = Principal.user(AccountId.of("444455556666"), "mallory");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AccessKeys.create(store, TIMEOUT, mallory, NOW));
    assertThat(
        e.getMessage(),
        equalTo(
            "The principal arn:verenc:444455556666:user/mallory is not of this key store's"
                + " account 111122223333"));
    assertThat(AccessKeys.list(store, TIMEOUT), empty());
  }

  @Test
  void toString_neverShowsTheSecret() {
    AccessKeys.NewAccessKey k = AccessKeys.create(store, TIMEOUT, ALICE, NOW);
    assertThat(k.toString().contains(k.secretAccessKey()), equalTo(false));
  }

  @Test
  void list_givesKeysInCreationOrder() {
    AccessKeys.NewAccessKey a = AccessKeys.create(store, TIMEOUT, ALICE, NOW);
    AccessKeys.NewAccessKey b = AccessKeys.create(store, TIMEOUT, Principal.root(ACCOUNT), NOW);
    assertThat(
        AccessKeys.list(store, TIMEOUT).stream().map(AccessKeyRecord::accessKeyId).toList(),
        contains(a.accessKeyId(), b.accessKeyId()));
  }

  @Test
  void delete_removesTheKey_andAnUnknownKeyIsReported() {
    AccessKeys.NewAccessKey k = AccessKeys.create(store, TIMEOUT, ALICE, NOW);
    assertThat(AccessKeys.delete(store, TIMEOUT, k.accessKeyId()), equalTo(true));
    assertThat(AccessKeys.list(store, TIMEOUT), empty());
    assertThat(AccessKeys.delete(store, TIMEOUT, k.accessKeyId()), equalTo(false));
  }
}
