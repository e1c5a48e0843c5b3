package io.qkms.engine.store;

import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.store.MaterialProtector;
import io.qkms.engine.internal.store.RootKeyProtector;
import io.qkms.engine.internal.store.StateStore;
import io.qkms.engine.internal.store.StoreState;
import io.qkms.engine.internal.store.StoreTimeoutException;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;

/**
 * A key store in memory, for tests and for embedding the engine. Material is still wrapped under a
 * random root key held in memory, so the engine's unwrap path is the same as with the file store,
 * and {@link #seal()} makes material unavailable as a sealed file store would.
 *
 * <p>Reads wait for a write in progress (readers never see a state older than a write that finished
 * before they started), but only until their deadline.
 */
public final class InMemoryKeyStore implements KeyStore, StateStore {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final RootKeyProtector protector;
  private final byte[] rootKey;
  private volatile StoreState state;

  private InMemoryKeyStore(StoreState initial) {
    this.state = initial;
    this.rootKey = RootKeyProtector.newRootKey();
    this.protector = new RootKeyProtector(rootKey);
  }

  /** A new empty store for {@code account} with the home region first. */
  public static InMemoryKeyStore create(AccountId account, Region home, Region... others) {
    List<Region> regions = new ArrayList<>();
    regions.add(home);
    regions.addAll(List.of(others));
    return new InMemoryKeyStore(StoreState.create(account, regions));
  }

  @Override
  public StoreState read(Duration timeout) {
    acquire(lock.readLock(), timeout);
    try {
      return state;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public StoreState update(Duration timeout, UnaryOperator<StoreState> change) {
    acquire(lock.writeLock(), timeout);
    try {
      StoreState current = state;
      StoreState next = change.apply(current);
      if (next == current) {
        return current;
      }
      state = next.withRevision(current.revision() + 1);
      return state;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void acquire(Lock l, Duration timeout) {
    try {
      if (!l.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StoreTimeoutException(
            "The key store did not answer within " + timeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreTimeoutException("Interrupted while waiting for the key store");
    }
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public MaterialProtector materialProtector() {
    return protector;
  }

  /** Makes every key's material unavailable until {@link #unseal()}. */
  public void seal() {
    protector.seal();
  }

  public void unseal() {
    protector.unseal(rootKey);
  }

  @Override
  public void close() {
    protector.seal();
    Bytes.zero(rootKey);
  }
}
