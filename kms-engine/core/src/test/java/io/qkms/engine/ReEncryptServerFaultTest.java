package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static io.qkms.engine.Steps.reEncrypt;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.qkms.engine.api.errors.DependencyTimeoutException;
import io.qkms.engine.api.errors.KMSInternalException;
import io.qkms.engine.api.errors.KeyUnavailableException;
import io.qkms.engine.testing.EngineFixture;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ReEncrypt's three server faults, each from its real cause in the key store: a sealed store
 * (KeyUnavailableException), a store that does not answer in time (DependencyTimeoutException) and
 * damaged stored material (KMSInternalException). Each uses a fresh engine so that nothing cached
 * hides the store's condition.
 */
class ReEncryptServerFaultTest extends ReEncryptFixture {
  @Test
  void reEncrypt_sealedStoreWithColdCache_isKeyUnavailable() {
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      f.store.seal();
      try {
        KeyUnavailableException e =
            Expect.fails(
                KeyUnavailableException.class,
                "The key store is sealed",
                () -> fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()));
        assertThat(e.isServerFault(), is(true));
      } finally {
        f.store.unseal();
      }
    }
  }

  @Test
  void reEncrypt_afterUnsealing_worksAgain() {
    // The fault is temporary: the same fresh engine succeeds once the store is unsealed.
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      f.store.seal();
      Expect.fails(
          KeyUnavailableException.class,
          () -> fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()));
      f.store.unseal();
      assertThat(
          fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()).keyId(),
          equalTo(destination.arn()));
    }
  }

  @Test
  void reEncrypt_storeWriteHeldOpenByAnotherThread_isDependencyTimeout() throws Exception {
    CountDownLatch writeHeld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (KmsEngine fresh = StoreSurgery.freshEngine(f, Duration.ofMillis(50))) {
      Thread writer =
          new Thread(
              () ->
                  f.store.update(
                      Duration.ofSeconds(5),
                      s -> {
                        writeHeld.countDown();
                        try {
                          release.await(5, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        return s;
                      }),
              "store-writer");
      writer.setDaemon(true);
      writer.start();
      try {
        assertThat("writer holds the store", writeHeld.await(5, TimeUnit.SECONDS), is(true));
        DependencyTimeoutException e =
            Expect.fails(
                DependencyTimeoutException.class,
                "The key store did not answer within 50 ms",
                () -> fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()));
        assertThat(e.isServerFault(), is(true));
      } finally {
        release.countDown();
        writer.join(5_000);
      }
      assertThat("writer finished", writer.isAlive(), is(false));
    }
  }

  @Test
  void reEncrypt_damagedSourceMaterial_isInternalError() {
    StoreSurgery.editKey(
        f.store, EngineFixture.US_EAST_1, source.keyId(), StoreSurgery::withDamagedMaterials);
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      KMSInternalException e =
          Expect.fails(
              KMSInternalException.class,
              "The key store is damaged: A wrapped key material does not authenticate under the"
                  + " root key",
              () -> fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()));
      assertThat(e.isServerFault(), is(true));
    }
  }

  @Test
  void reEncrypt_damagedDestinationMaterial_isInternalError() {
    StoreSurgery.editKey(
        f.store, EngineFixture.US_EAST_1, destination.keyId(), StoreSurgery::withDamagedMaterials);
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      Expect.fails(
          KMSInternalException.class,
          "The key store is damaged: A wrapped key material does not authenticate under the"
              + " root key",
          () -> fresh.reEncrypt(ROOT, reEncrypt(blob, destination.keyId()).build()));
    }
  }
}
