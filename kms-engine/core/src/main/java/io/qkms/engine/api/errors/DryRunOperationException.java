package io.qkms.engine.api.errors;

/** The request would have succeeded, but DryRun was set. */
public final class DryRunOperationException extends KmsException {
  private static final long serialVersionUID = 1L;

  public DryRunOperationException(String message) {
    super(message);
  }
}
