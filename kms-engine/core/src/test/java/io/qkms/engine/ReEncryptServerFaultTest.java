package io.qkms.engine;

import static io.qkms.engine.Steps.ROOT;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.qkms.engine.api.errors.DependencyTimeoutException;
import io.qkms.engine.api.errors.KMSInternalException;
import io.qkms.engine.api.errors.KeyUnavailableException;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.testing.EngineFixture;
import io.qkms.engine.testing.HeldStoreWrite;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
        assertServerFault(fresh, KeyUnavailableException.class, "The key store is sealed");
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
          KeyUnavailableException.class, () -> fresh.reEncrypt(ROOT, toDestination().build()));
      f.store.unseal();
      assertThat(
          fresh.reEncrypt(ROOT, toDestination().build()).keyId(), equalTo(destination.arn()));
    }
  }

  @Test
  void reEncrypt_storeWriteHeldOpenByAnotherThread_isDependencyTimeout() throws Exception {
    try (KmsEngine fresh = StoreSurgery.freshEngine(f, Duration.ofMillis(50));
        HeldStoreWrite held = HeldStoreWrite.start(f.store)) {
      assertServerFault(
          fresh, DependencyTimeoutException.class, "The key store did not answer within 50 ms");
    }
  }

  @ParameterizedTest
  @EnumSource(Side.class)
  void reEncrypt_damagedMaterialOfEitherKey_isInternalError(Side side) {
    StoreSurgery.editKey(
        f.store, EngineFixture.US_EAST_1, key(side).keyId(), StoreSurgery::withDamagedMaterials);
    try (KmsEngine fresh = StoreSurgery.freshEngine(f)) {
      assertServerFault(
          fresh,
          KMSInternalException.class,
          "The key store is damaged: A wrapped key material does not authenticate under the"
              + " root key");
    }
  }

  /** The fixture's ReEncrypt through {@code engine} fails with {@code type}, a server fault. */
  private <E extends KmsException> void assertServerFault(
      KmsEngine engine, Class<E> type, String message) {
    E e = Expect.fails(type, message, () -> engine.reEncrypt(ROOT, toDestination().build()));
    assertThat(e.isServerFault(), is(true));
  }
}
