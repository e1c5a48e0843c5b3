package io.qkms.engine.internal.store;

import io.qkms.engine.api.errors.DependencyTimeoutException;
import io.qkms.engine.api.errors.KMSInternalException;
import io.qkms.engine.api.errors.KeyUnavailableException;
import io.qkms.engine.api.errors.UnsupportedOperationException;
import java.util.function.Supplier;

/**
 * Store failures as the API names them: a missed deadline is DependencyTimeoutException, material
 * that cannot be unwrapped now is KeyUnavailableException, a damaged store is KMSInternalException,
 * a write to a read-only store UnsupportedOperationException.
 */
public final class StoreErrors {
  private StoreErrors() {}

  /** Runs a store call, translating store failures to API errors. */
  public static <T> T guard(Supplier<T> call) {
    try {
      return call.get();
    } catch (StoreTimeoutException e) {
      throw new DependencyTimeoutException(e.getMessage());
    } catch (MaterialUnavailableException e) {
      throw new KeyUnavailableException(e.getMessage());
    } catch (StoreFailureException e) {
      throw new KMSInternalException("The key store is damaged: " + e.getMessage(), e);
    } catch (ReadOnlyStoreException e) {
      throw new UnsupportedOperationException(e.getMessage());
    }
  }
}
