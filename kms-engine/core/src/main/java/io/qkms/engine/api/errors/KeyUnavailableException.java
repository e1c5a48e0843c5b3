package io.qkms.engine.api.errors;

/**
 * The key's material cannot be had right now (for example the key store is sealed). Server fault
 * (HTTP 500); retryable.
 */
public final class KeyUnavailableException extends ServerFaultException {
  private static final long serialVersionUID = 1L;

  public KeyUnavailableException(String message) {
    super(message);
  }
}
