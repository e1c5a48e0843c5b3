package io.qkms.engine.store;

import static io.qkms.engine.testing.SampleKeyRecords.enabledKey;
import static io.qkms.engine.testing.SampleKeyRecords.keyId;
import static io.qkms.engine.testing.SampleKeyRecords.materialId;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.internal.store.MaterialProtector;
import io.qkms.engine.internal.store.MaterialUnavailableException;
import io.qkms.engine.internal.store.StoreFailureException;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.internal.store.StoreTimeoutException;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InMemoryKeyStoreTest {
  private static final AccountId ACCOUNT = AccountId.of("111122223333");
  private static final Region US = Region.of("us-east-1");
  private static final Region EU = Region.of("eu-west-1");
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private final InMemoryKeyStore store = InMemoryKeyStore.create(ACCOUNT, US, EU);
  private final ExecutorService writer = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() throws InterruptedException {
    writer.shutdownNow();
    writer.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  private static StoreState addKey(StoreState s, int n) {
    return s.withRegion(US, s.region(US).withKey(enabledKey(keyId(n)).build()));
  }

  @Test
  void create_holdsTheAccountAndRegionsHomeFirst() {
    StoreState s = store.read(TIMEOUT);
    assertThat(s.account(), equalTo(ACCOUNT));
    assertThat(s.regions(), equalTo(List.of(US, EU)));
    assertThat(s.revision(), equalTo(0L));
    assertThat(store.isReadOnly(), equalTo(false));
  }

  @Test
  void update_incrementsTheRevision() {
    assertThat(store.update(TIMEOUT, s -> addKey(s, 1)).revision(), equalTo(1L));
    assertThat(store.update(TIMEOUT, s -> addKey(s, 2)).revision(), equalTo(2L));
    assertThat(store.read(TIMEOUT).revision(), equalTo(2L));
  }

  @Test
  void update_isVisibleToLaterReads() {
    store.update(TIMEOUT, s -> addKey(s, 1));
    assertThat(store.read(TIMEOUT).region(US).key(keyId(1)).keyId(), equalTo(keyId(1)));
  }

  @Test
  void update_unchangedState_isNotAWrite() {
    StoreState before = store.update(TIMEOUT, s -> addKey(s, 1));
    StoreState after = store.update(TIMEOUT, s -> s);
    assertThat(after, sameInstance(before));
    assertThat(store.read(TIMEOUT).revision(), equalTo(1L));
  }

  @Test
  void update_revisionSetByTheChange_isOverwritten() {
    assertThat(store.update(TIMEOUT, s -> addKey(s, 1).withRevision(99)).revision(), equalTo(1L));
  }

  @Test
  void update_changeThrows_leavesTheStateAndReleasesTheLock() {
    assertThrows(
        IllegalStateException.class,
        () ->
            store.update(
                TIMEOUT,
                s -> {
                  throw new IllegalStateException("boom");
                }));
    assertThat(store.read(Duration.ofMillis(50)).revision(), equalTo(0L));
  }

  @Test
  @Timeout(10)
  void read_whileAWriterHoldsTheLock_timesOut() throws Exception {
    HeldWrite held = new HeldWrite();
    StoreTimeoutException e =
        assertThrows(StoreTimeoutException.class, () -> store.read(Duration.ofMillis(50)));
    assertThat(e.getMessage(), equalTo("The key store did not answer within 50 ms"));
    held.letGo();
    assertThat(held.result().revision(), equalTo(1L));
  }

  @Test
  @Timeout(10)
  void update_whileAnotherWriterHoldsTheLock_timesOut() throws Exception {
    HeldWrite held = new HeldWrite();
    StoreTimeoutException e =
        assertThrows(
            StoreTimeoutException.class, () -> store.update(Duration.ofMillis(20), s -> s));
    assertThat(e.getMessage(), equalTo("The key store did not answer within 20 ms"));
    held.letGo();
    held.result();
  }

  @Test
  @Timeout(10)
  void read_afterTheWriterFinishes_seesItsWrite() throws Exception {
    HeldWrite held = new HeldWrite();
    held.letGo();
    // Waits for the write in progress rather than returning the state before it.
    assertThat(store.read(Duration.ofSeconds(5)).revision(), equalTo(1L));
    held.result();
  }

  @Test
  void seal_makesUnwrapUnavailable() {
    MaterialProtector p = store.materialProtector();
    byte[] wrapped = p.wrap(keyId(1), materialId(1), new byte[32]);
    store.seal();
    MaterialUnavailableException e =
        assertThrows(
            MaterialUnavailableException.class, () -> p.unwrap(keyId(1), materialId(1), wrapped));
    assertThat(e.getMessage(), equalTo("The key store is sealed"));
  }

  @Test
  void unseal_restoresUnwrap() {
    MaterialProtector p = store.materialProtector();
    byte[] secret = new byte[32];
    secret[0] = 9;
    byte[] wrapped = p.wrap(keyId(1), materialId(1), secret);
    store.seal();
    store.unseal();
    assertThat(p.unwrap(keyId(1), materialId(1), wrapped), equalTo(secret));
  }

  @Test
  void seal_leavesMetadataReadable() {
    store.update(TIMEOUT, s -> addKey(s, 1));
    store.seal();
    assertThat(store.read(TIMEOUT).region(US).key(keyId(1)).keyId(), equalTo(keyId(1)));
  }

  @Test
  void twoStores_haveDifferentRootKeys() {
    byte[] wrapped = store.materialProtector().wrap(keyId(1), materialId(1), new byte[32]);
    try (InMemoryKeyStore other = InMemoryKeyStore.create(ACCOUNT, US)) {
      assertThrows(
          StoreFailureException.class,
          () -> other.materialProtector().unwrap(keyId(1), materialId(1), wrapped));
    }
  }

  /** A write of key 1 on the writer thread that, once inside the store's lock, holds it. */
  private final class HeldWrite {
    private final CountDownLatch release = new CountDownLatch(1);
    private final Future<StoreState> pending;

    HeldWrite() throws InterruptedException {
      CountDownLatch inside = new CountDownLatch(1);
      pending =
          writer.submit(
              () ->
                  store.update(
                      TIMEOUT,
                      s -> {
                        inside.countDown();
                        await(release);
                        return addKey(s, 1);
                      }));
      assertThat(inside.await(5, TimeUnit.SECONDS), equalTo(true));
    }

    /** Lets the write finish. */
    void letGo() {
      release.countDown();
    }

    /** The state the write made, once it has finished. */
    StoreState result() throws Exception {
      return pending.get(5, TimeUnit.SECONDS);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
