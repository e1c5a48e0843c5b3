package io.qkms.engine.api.errors;

/**
 * The caller exceeded the request quota ({@code qkms serve --max-requests-per-second}). A client
 * error (HTTP 400), as AWS KMS answers it, but retryable: the AWS SDKs and CLI retry it with
 * backoff.
 */
public final class ThrottlingException extends KmsException {
  private static final long serialVersionUID = 1L;

  /** AWS KMS's message. */
  public static final String MESSAGE =
      "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.";

  public ThrottlingException() {
    super(MESSAGE);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
