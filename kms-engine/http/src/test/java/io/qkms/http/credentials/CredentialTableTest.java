package io.qkms.http.credentials;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import io.qkms.http.sigv4.SigningCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's view of the access keys, with a hand-moved nanosecond clock. */
class CredentialTableTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Principal ALICE = Principal.user(ACCOUNT, "alice");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REFRESH = Duration.ofSeconds(1);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  private final InMemoryKeyStore store = InMemoryKeyStore.create(ACCOUNT, Region.of("us-east-1"));
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AccessKeys keys = AccessKeys.of(store, TIMEOUT);
  private final CredentialTable table =
      new CredentialTable(keys::signingSecret, REFRESH, nanos::get);

  @AfterEach
  void tearDown() {
    table.close();
    store.close();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void knownKey_givesItsPrincipal() {
    NewAccessKey k = keys.create(ALICE, NOW);
    SigningCredential c = table.apply(k.accessKeyId());
    assertThat(c.accessKeyId(), equalTo(k.accessKeyId()));
    assertThat(c.principal(), equalTo(ALICE));
  }

  @Test
  void unknownKey_isNull() {
    assertThat(table.apply("AKIAAAAAAAAAAAAAAAAA"), nullValue());
  }

  @Test
  void keyCreatedLater_isFoundAtOnce_throughTheMissReload() {
    table.apply("AKIAAAAAAAAAAAAAAAAA"); // loads the (empty) table
    advance(Duration.ofMillis(150)); // past the miss-reload limit, well within the refresh
    NewAccessKey k = keys.create(ALICE, NOW);
    assertThat(table.apply(k.accessKeyId()).principal(), equalTo(ALICE));
  }

  @Test
  void missLookups_areLimitedToTenASecond_inBurstsOfTen() {
    AtomicInteger reads = new AtomicInteger();
    CredentialTable t =
        new CredentialTable(
            id -> {
              reads.incrementAndGet();
              return keys.signingSecret(id);
            },
            REFRESH,
            nanos::get);
    try {
      for (int i = 0; i < 100; i++) {
        t.apply("AKIABBBBBBBBBBBBBBBB"); // unknown, same instant: only a burst reaches the store
      }
      assertThat(reads.get(), equalTo(10));
      advance(Duration.ofMillis(100));
      t.apply("AKIABBBBBBBBBBBBBBBB");
      t.apply("AKIABBBBBBBBBBBBBBBB");
      assertThat(reads.get(), equalTo(11));
      advance(Duration.ofSeconds(10)); // an idle table refills one burst, not ten seconds' worth
      for (int i = 0; i < 100; i++) {
        t.apply("AKIABBBBBBBBBBBBBBBB");
      }
      assertThat(reads.get(), equalTo(21));
    } finally {
      t.close();
    }
  }

  @Test
  void keysFirstUsedAtTheSameInstant_areAllFound() {
    // Clients that start together with the server each bring a key the table has not seen yet.
    NewAccessKey a = keys.create(ALICE, NOW);
    NewAccessKey b = keys.create(Principal.user(ACCOUNT, "bob"), NOW);
    assertThat(table.apply("AKIAAAAAAAAAAAAAAAAA"), nullValue());
    assertThat(table.apply(b.accessKeyId()).accessKeyId(), equalTo(b.accessKeyId()));
    assertThat(table.apply(a.accessKeyId()).principal(), equalTo(ALICE));
  }

  @Test
  void deletedKey_isRefused_afterTheRefreshInterval() {
    NewAccessKey k = keys.create(ALICE, NOW);
    SigningCredential before = table.apply(k.accessKeyId());
    keys.delete(k.accessKeyId());

    // Within the interval the known key is still served (no store read per request).
    assertThat(table.apply(k.accessKeyId()), sameInstance(before));
    advance(REFRESH);
    assertThat(table.apply(k.accessKeyId()), nullValue());
  }

  @Test
  void unchangedKeys_keepTheirCredentialObject_acrossReloads() {
    NewAccessKey k = keys.create(ALICE, NOW);
    SigningCredential first = table.apply(k.accessKeyId());
    keys.create(ALICE, NOW); // the store changes
    advance(REFRESH);
    assertThat(table.apply(k.accessKeyId()), sameInstance(first));
  }

  @Test
  void sealedStore_keysItCannotUnwrapAreIgnored_theTableKeepsWorking() {
    NewAccessKey k = keys.create(ALICE, NOW);
    store.seal();
    assertThat(table.apply(k.accessKeyId()), nullValue());
    store.unseal();
    advance(REFRESH);
    assertThat(table.apply(k.accessKeyId()).principal(), equalTo(ALICE));
  }

  @Test
  void knownKey_isStillServed_whileTheStoreCannotBeAsked() {
    NewAccessKey k = keys.create(ALICE, NOW);
    SigningCredential before = table.apply(k.accessKeyId());
    store.seal();
    advance(REFRESH);
    assertThat(table.apply(k.accessKeyId()), sameInstance(before));
  }

  @Test
  void close_forgetsEverything() {
    NewAccessKey k = keys.create(ALICE, NOW);
    table.apply(k.accessKeyId());
    table.close();
    assertThat(table.apply(k.accessKeyId()), nullValue());
  }
}
