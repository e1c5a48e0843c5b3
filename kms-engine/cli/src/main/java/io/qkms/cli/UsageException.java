package io.qkms.cli;

/** The command line was used wrongly (a bad or missing option value): exit status 252. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message, null, false, false);
  }
}
