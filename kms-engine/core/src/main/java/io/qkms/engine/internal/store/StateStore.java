package io.qkms.engine.internal.store;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * What the engine needs of a key store ({@code io.qkms.engine.store.KeyStore}, which QKMS's stores
 * implement along with this): one {@link StoreState}, replaced atomically on each write. Every call
 * has a deadline: a store that cannot answer in time throws {@link StoreTimeoutException} (the
 * API's DependencyTimeoutException) rather than hanging a caller.
 */
public interface StateStore {

  /**
   * The latest committed state.
   *
   * @throws StoreTimeoutException if the store cannot answer within {@code timeout}
   * @throws StoreFailureException if the store cannot be read at all
   */
  StoreState read(Duration timeout);

  /**
   * Applies {@code change} to the latest committed state and commits the result atomically; the
   * change may run more than once and must have no side effects. Exceptions thrown by {@code
   * change} abort the write and propagate.
   *
   * @return the committed state, with its revision incremented; or the same state if {@code change}
   *     returned its argument unchanged (nothing is written then)
   * @throws StoreTimeoutException if the store's write lock cannot be had within {@code timeout}
   * @throws ReadOnlyStoreException if the store was opened read-only
   */
  StoreState update(Duration timeout, UnaryOperator<StoreState> change);

  /** Whether {@link #update} is refused. */
  boolean isReadOnly();

  /** Wraps and unwraps key material under the store's root key. */
  MaterialProtector materialProtector();

  /**
   * The engine's view of a key store (typed loosely so that this package does not depend on the
   * public one).
   *
   * @throws IllegalArgumentException if it is not one of QKMS's stores
   */
  static StateStore of(Object store) {
    if (store instanceof StateStore s) {
      return s;
    }
    throw new IllegalArgumentException(
        "Not a QKMS key store: "
            + store.getClass().getName()
            + "; open a FileKeyStore or an"
            + " InMemoryKeyStore");
  }
}
