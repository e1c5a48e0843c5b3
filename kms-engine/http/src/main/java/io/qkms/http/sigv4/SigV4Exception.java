package io.qkms.http.sigv4;

/**
 * A request that does not authenticate, with the error code and message AWS returns for it. No
 * stack trace: these are answers to clients, thrown on a hot path, not faults.
 */
public final class SigV4Exception extends RuntimeException {
  /** No Authorization header. */
  public static final String MISSING_AUTHENTICATION_TOKEN = "MissingAuthenticationTokenException";

  /** An Authorization header, credential scope or date that is malformed or incomplete. */
  public static final String INCOMPLETE_SIGNATURE = "IncompleteSignatureException";

  /** A signature that does not match, a wrong scope, or a date outside the allowed window. */
  public static final String INVALID_SIGNATURE = "InvalidSignatureException";

  /** An access key ID (or security token) this server does not know. */
  public static final String UNRECOGNIZED_CLIENT = "UnrecognizedClientException";

  private static final long serialVersionUID = 1L;

  private final String errorCode;

  SigV4Exception(String errorCode, String message) {
    super(message, null, false, false);
    this.errorCode = errorCode;
  }

  /** The {@code __type} of the error response, e.g. {@code InvalidSignatureException}. */
  public String errorCode() {
    return errorCode;
  }
}
