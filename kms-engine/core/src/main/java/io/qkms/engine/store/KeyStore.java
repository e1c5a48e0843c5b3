package io.qkms.engine.store;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Where keys live. A store holds one {@link StoreState} and replaces it atomically on each write.
 * Implementations: {@link InMemoryKeyStore} (tests, embedding) and the durable file store of the
 * command line, which may also be opened read-only (pipeline workers) and then picks up an
 * administrator's changes when {@link #read} notices the file changed.
 *
 * <p>Every call has a deadline: a store that cannot answer in time throws {@link
 * StoreTimeoutException} (the API's DependencyTimeoutException) rather than hanging a caller.
 */
public interface KeyStore extends AutoCloseable {

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

  @Override
  void close();
}
