package io.qkms.engine.store;

/**
 * Where keys live: a handle to pass to {@link io.qkms.engine.KmsEngine.Builder#keyStore} and to
 * {@link io.qkms.engine.credentials.AccessKeys}. The implementations are {@link InMemoryKeyStore}
 * (tests, embedding) and the durable {@link io.qkms.engine.store.file.FileKeyStore}, which may be
 * opened read-only (pipeline workers). How a store reads and replaces its state is the engine's
 * business ({@link io.qkms.engine.internal.store.StateStore}), not part of this interface.
 */
public interface KeyStore extends AutoCloseable {

  /** Whether the store refuses changes (opened read-only). */
  boolean isReadOnly();

  @Override
  void close();
}
