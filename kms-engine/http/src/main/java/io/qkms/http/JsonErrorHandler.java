package io.qkms.http;

import io.qkms.engine.wire.WireResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors Jetty answers itself (a malformed request, headers too large, a request refused while
 * shutting down, an unexpected failure) in the API's shape: JSON 1.1 with {@code __type} and {@code
 * message}, and a request ID. Never an HTML page, never a stack trace.
 *
 * <p>Malformed requests are counted and logged as one summary line at most every 10 s: Jetty's
 * parser also warns about some of them, echoing the client's headers (two 3.5 KB {@code Host}
 * headers made 7 KB of log a request), so {@code qkms serve} turns that logger down to errors and
 * relies on this count.
 */
final class JsonErrorHandler extends ErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

  private final AtomicLong malformed = new AtomicLong();
  private final LogLimiter summaries = new LogLimiter();

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (status >= 400 && status < 500 || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
      summarise(status);
    }
    String type;
    String message;
    if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
      type = "ServiceUnavailableException";
      message = "The server is shutting down.";
    } else if (status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
      // A client's mistake (HTTP/0.9, HTTP/2 without TLS, ...), not a server fault.
      status = HttpStatus.BAD_REQUEST_400;
      response.setStatus(status);
      type = "MalformedHttpRequestException";
      message = "The HTTP version is not supported: use HTTP/1.1.";
    } else if (status == HttpStatus.REQUEST_TIMEOUT_408) {
      type = "RequestTimeoutException";
      message = "The request did not arrive in time.";
    } else if (status == HttpStatus.PAYLOAD_TOO_LARGE_413) {
      type = "RequestEntityTooLargeException";
      message = "The request is too large.";
    } else if (status >= 500) {
      type = "KMSInternalException";
      message = "An internal error occurred.";
    } else {
      type = "MalformedHttpRequestException";
      message = "The request is not a valid HTTP request: " + HttpStatus.getMessage(status) + ".";
    }
    Object id = request.getAttribute(AccessLog.REQUEST_ID);
    String requestId = id != null ? id.toString() : RequestIds.next();
    request.setAttribute(AccessLog.REQUEST_ID, requestId);
    request.setAttribute(AccessLog.ERROR, type);
    byte[] body = WireResponse.error(status, type, message).body();
    response.getHeaders().put(KmsHandler.REQUEST_ID_HEADER, requestId);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, KmsHandler.CONTENT_TYPE);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private void summarise(int status) {
    long total = malformed.incrementAndGet();
    if (summaries.allow()) {
      LOG.warn(
          "Requests Jetty refused as malformed or late (4xx before the API): {} since start, the"
              + " latest {}; at most one such line every 10 s",
          total,
          status);
    }
  }

  /** Requests answered here with a client error (for tests and monitoring). */
  long malformedRequests() {
    return malformed.get();
  }
}
