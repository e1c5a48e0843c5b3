package io.qkms.pipeline.worker.remote;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What a remote KMS's answer means for the call: success aside, it was throttled (retried within
 * the throttle budget, the worker slows down), the endpoint was overloaded or unavailable (a 5xx, a
 * transient KMS error, no connection: retried with backoff within the attempts budget), or the call
 * failed for good (a 4xx: the API's error code goes to the dead letter).
 */
final class RemoteErrors {
  /** The job's code for an endpoint that could not be reached at all (no HTTP answer). */
  static final String ENDPOINT_UNAVAILABLE = "KmsEndpointUnavailable";

  static final String THROTTLING = "ThrottlingException";

  /**
   * The job's code for an https endpoint whose TLS handshake failed: a certificate not trusted, not
   * naming the host, expired, or no TLS at all. Retried like no answer in a worker (a server may be
   * changing its certificate); the checks before a run stop at once.
   */
  static final String ENDPOINT_TLS = "KmsEndpointTlsFailure";

  /** The job's code for a worker whose AWS SDK default chain found no credentials. */
  static final String CREDENTIALS_NOT_FOUND = "CredentialsNotFound";

  private static final Set<String> THROTTLING_CODES =
      Set.of(
          THROTTLING,
          "Throttling",
          "ThrottledException",
          "TooManyRequestsException",
          "RequestLimitExceeded",
          "SlowDown");

  /** The engine's transient errors (kms-engine: {@code KmsException.isRetryable()}). */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "DependencyTimeoutException",
          "KeyUnavailableException",
          "KMSInternalException",
          "InternalFailure",
          "ServiceUnavailable",
          "ServiceUnavailableException",
          "RequestTimeout",
          "RequestTimeoutException");

  enum Kind {
    THROTTLED,
    /** A 5xx or a transient KMS error: retried, and the worker slows down. */
    OVERLOADED,
    /** No answer (connection refused or reset, a timeout): retried. */
    UNREACHABLE,
    PERMANENT
  }

  record Failure(Kind kind, String code, String message) {
    boolean retryable() {
      return kind != Kind.PERMANENT;
    }
  }

  private RemoteErrors() {}

  /** An API error answer: its {@code __type} (with any namespace prefix dropped) and status. */
  static Failure ofAnswer(String type, String message, int status) {
    String code = type == null ? null : type.substring(type.indexOf('#') + 1);
    if (status == 429 || (code != null && THROTTLING_CODES.contains(code))) {
      return new Failure(Kind.THROTTLED, THROTTLING, message);
    }
    if (status >= 500 || (code != null && TRANSIENT_CODES.contains(code))) {
      return new Failure(
          Kind.OVERLOADED, code != null && !code.isEmpty() ? code : "HTTP" + status, message);
    }
    return new Failure(
        Kind.PERMANENT, code != null && !code.isEmpty() ? code : "HTTP" + status, message);
  }

  /** A failed SDK call (the exception of its future, possibly wrapped). */
  static Failure of(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof AwsServiceException s) {
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message =
          s.awsErrorDetails() == null ? s.getMessage() : s.awsErrorDetails().errorMessage();
      return ofAnswer(code, message, s.statusCode());
    }
    if (e instanceof SdkException
        && e.getMessage() != null
        && e.getMessage().startsWith("Unable to load credentials")) {
      // The SDK's default chain found none here: no call was made.
      return new Failure(Kind.PERMANENT, CREDENTIALS_NOT_FOUND, e.getMessage());
    }
    if ((e instanceof SdkException || e instanceof java.io.IOException) && tls(e)) {
      return new Failure(Kind.UNREACHABLE, ENDPOINT_TLS, rootCause(e));
    }
    if (e instanceof SdkException) {
      return new Failure(Kind.UNREACHABLE, ENDPOINT_UNAVAILABLE, describe(e));
    }
    if (e instanceof java.io.IOException) {
      return new Failure(Kind.UNREACHABLE, ENDPOINT_UNAVAILABLE, describe(e));
    }
    throw new IllegalStateException("Unexpected failure of a KMS call: " + e, e);
  }

  private static boolean tls(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException
          || c instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** The innermost cause's type and message (e.g. {@code ConnectException: Connection refused}). */
  static String describe(Throwable t) {
    String rootText = rootCause(t);
    return root(t) == t ? rootText : t.getMessage() + " (" + rootText + ")";
  }

  /** The innermost cause's type and message only. */
  static String rootCause(Throwable t) {
    Throwable root = root(t);
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  private static Throwable root(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
