package io.qkms.http;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.Region;
import io.qkms.engine.wire.Dispatcher;
import io.qkms.engine.wire.WireResponse;
import io.qkms.http.sigv4.SigV4Exception;
import io.qkms.http.sigv4.SigV4Verifier;
import io.qkms.http.sigv4.SignableRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /}: reads the body (bounded), verifies its SigV4 signature, and hands {@code
 * (X-Amz-Target, body, caller)} to the engine's {@link Dispatcher}; the caller is the principal of
 * the access key that signed, in the region of its credential scope. Every response carries {@code
 * x-amzn-RequestId} and {@code Content-Type: application/x-amz-json-1.1}; every error has an
 * AWS-style body {@code {"__type": ..., "message": ...}}.
 *
 * <p>Threads: the handler keeps Jetty's default invocation type (blocking), so Jetty runs it on the
 * thread that read the request, after handing the selecting on to a reserved thread (its
 * execute-produce-consume mode; a server profile shows {@code AdaptiveExecutionStrategy.epcRunTask}
 * under every call). The body is read without blocking (the request's chunks as they come, into an
 * array sized by Content-Length, never more than the limit); the operations that only read keys
 * (those the catalogue does not mark {@link Operation#writesStore()}: Encrypt, Decrypt, ReEncrypt,
 * GenerateDataKey, Describe and List calls) then run on that thread, served from the engine's key
 * cache. Operations that change keys (they write and sync the store file) and batches go to the
 * server's thread pool. With the audit trail on, no thread waits for a call's line: the answer is
 * written once the line is, by the trail's writer thread (see {@link ApiAudit#record}).
 */
final class KmsHandler extends Handler.Abstract {
  static final String CONTENT_TYPE = WireResponse.CONTENT_TYPE;
  static final String REQUEST_ID_HEADER = "x-amzn-RequestId";

  /** The status AWS's JSON-protocol services answer authentication failures with. */
  static final int AUTH_FAILURE_STATUS = 400;

  private static final HttpField CONTENT_TYPE_FIELD =
      new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
  private static final HttpField ALLOW_POST = new PreEncodedHttpField(HttpHeader.ALLOW, "POST");

  private static final Logger LOG = LoggerFactory.getLogger(KmsHandler.class);
  private static final String INTERNAL = "KMSInternalException";

  /** AWS KMS's message for KMSInternalException. */
  static final String INTERNAL_MESSAGE =
      "The request was rejected because an internal exception occurred. The request can be"
          + " retried.";

  /** What a body's array starts at; it grows with what arrives, never by what is announced. */
  static final int INITIAL_BODY_BYTES = 16 * 1024;

  private static final byte[] EMPTY = new byte[0];

  private final Dispatcher dispatcher;
  private final SigV4Verifier verifier;
  private final Map<String, Region> regions;
  private final int maxBodyBytes;
  private final int maxBatchBodyBytes;
  private final ConnectionGuard guard;
  private final long maxUnauthenticatedBytes;
  private final AtomicLong unauthenticatedBytes = new AtomicLong();
  private final ApiAudit audit;

  private final long bodyTimeoutMillis;

  KmsHandler(
      Dispatcher dispatcher,
      SigV4Verifier verifier,
      Map<String, Region> regions,
      int maxBodyBytes,
      int maxBatchBodyBytes,
      ConnectionGuard guard,
      long maxUnauthenticatedBytes,
      Duration bodyTimeout,
      ApiAudit audit) {
    this.bodyTimeoutMillis = bodyTimeout.toMillis();
    this.audit = audit;
    this.dispatcher = dispatcher;
    this.verifier = verifier;
    this.regions = regions;
    this.maxBodyBytes = maxBodyBytes;
    this.maxBatchBodyBytes = maxBatchBodyBytes;
    this.guard = guard;
    this.maxUnauthenticatedBytes = maxUnauthenticatedBytes;
  }

  /** Bytes held now for request bodies whose signature is not verified yet (for tests). */
  long unauthenticatedBytes() {
    return unauthenticatedBytes.get();
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String requestId = RequestIds.next();
    request.setAttribute(AccessLog.REQUEST_ID, requestId);
    response.getHeaders().put(REQUEST_ID_HEADER, requestId);
    if (audit != null) {
      audit.recordIfRefused(request);
    }

    Operation<?, ?> operation = Dispatcher.operation(request.getHeaders().get("X-Amz-Target"));
    if (operation != null) {
      request.setAttribute(AccessLog.OPERATION, operation.name());
    }
    if (!"POST".equals(request.getMethod())) {
      response.getHeaders().put(ALLOW_POST);
      return rejectUnread(
          request,
          response,
          callback,
          405,
          "UnknownOperationException",
          "QKMS serves the AWS KMS JSON API: POST / only.");
    }
    String path = request.getHttpURI().getPath();
    if (!"/".equals(path)) {
      return rejectUnread(
          request,
          response,
          callback,
          404,
          "UnknownOperationException",
          "QKMS serves the AWS KMS JSON API at / only.");
    }
    if (!isJson11(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
      return rejectUnread(
          request,
          response,
          callback,
          415,
          "UnsupportedMediaTypeException",
          "The Content-Type must be " + CONTENT_TYPE + ".");
    }
    // Everything but the body's hash is checked before a byte of the body is read or held: an
    // unknown key, a stale date or a malformed Authorization costs the server no memory.
    SigV4Verifier.Headers headers;
    try {
      headers = verifier.checkHeaders(new Signable(request));
    } catch (SigV4Exception e) {
      return rejectUnread(
          request, response, callback, AUTH_FAILURE_STATUS, e.errorCode(), e.getMessage());
    }
    int limit = operation != null && operation.isBatch() ? maxBatchBodyBytes : maxBodyBytes;
    long length = request.getLength();
    if (length > limit) {
      return tooLarge(request, response, callback, limit);
    }
    new BodyReader(request, response, callback, headers, length, limit).run();
    return true;
  }

  /** {@code application/x-amz-json-1.1}, in any case, with or without parameters. */
  static boolean isJson11(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip();
    return type.equalsIgnoreCase(CONTENT_TYPE);
  }

  /**
   * An error answered before the body is read. A body not yet fully received leaves the connection
   * unusable for another request, and Jetty then closes it after the response; saying so in the
   * response keeps clients from putting it back in their pool and losing their next request on it.
   */
  private static boolean rejectUnread(
      Request request,
      Response response,
      Callback callback,
      int status,
      String errorCode,
      String message) {
    if (!request.consumeAvailable()) {
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    return error(request, response, callback, status, errorCode, message);
  }

  /** Over the budget for unauthenticated bodies: the client may retry; this connection closes. */
  private static void busy(Request request, Response response, Callback callback) {
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    error(
        request,
        response,
        callback,
        503,
        "ServiceUnavailableException",
        "The server is busy reading other requests. Retry the request.");
  }

  private static boolean tooLarge(
      Request request, Response response, Callback callback, int limit) {
    // Never read the rest of an oversized body: the connection closes after this answer.
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    return error(
        request,
        response,
        callback,
        413,
        "RequestEntityTooLargeException",
        "The request body must be at most " + limit + " bytes.");
  }

  /**
   * Reads the body chunk by chunk as it arrives, then runs the call. The array grows with what has
   * arrived (never to more than Content-Length or the limit), not with what Content-Length
   * announces; until the signature is verified it counts against the server's budget for
   * unauthenticated bodies, beyond which the request gets 503 and its connection closes.
   */
  private final class BodyReader implements Runnable, Invocable {
    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING; // reading chunks never blocks; call() hands off what may
    }

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final SigV4Verifier.Headers headers;
    private final int limit;
    private final int capacity;
    private byte[] body;
    private int size;
    private final AtomicLong reserved = new AtomicLong();

    BodyReader(
        Request request,
        Response response,
        Callback callback,
        SigV4Verifier.Headers headers,
        long length,
        int limit) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.headers = headers;
      this.limit = limit;
      this.capacity = length >= 0 ? (int) length : limit;
      this.body = EMPTY;
      // However the exchange ends (a client gone, a connection closed at its deadline), the
      // budget gets its bytes back.
      Request.addCompletionListener(
          request,
          failure -> {
            cancelDeadline();
            release();
          });
    }

    /** Null until the reader first waits for more of the body. */
    private volatile Scheduler.Task deadline;

    /**
     * A body that stops, or never follows Expect: 100-continue, fails its read at this deadline
     * (the reader then answers 408), not at the connection's much longer idle timeout. Started the
     * first time the reader waits: most bodies come with their request's head, and a deadline per
     * call kept the scheduler's thread waking for each.
     */
    private void startDeadline() {
      if (deadline == null) {
        deadline =
            request
                .getComponents()
                .getScheduler()
                .schedule(
                    () ->
                        request.fail(
                            new TimeoutException(
                                "The request body did not arrive within "
                                    + bodyTimeoutMillis
                                    + " ms")),
                    bodyTimeoutMillis,
                    TimeUnit.MILLISECONDS);
      }
    }

    private void cancelDeadline() {
      Scheduler.Task d = deadline;
      if (d != null) {
        d.cancel();
      }
    }

    /** Grows the array to hold {@code needed} bytes, within the budget; false if over it. */
    private boolean grow(int needed) {
      int next =
          Math.min(capacity, Math.max(needed, Math.max(INITIAL_BODY_BYTES, body.length * 2)));
      if (!headers.signatureVerified()) {
        long more = next - body.length;
        if (unauthenticatedBytes.addAndGet(more) > maxUnauthenticatedBytes) {
          unauthenticatedBytes.addAndGet(-more);
          return false;
        }
        reserved.addAndGet(more);
      }
      body = Arrays.copyOf(body, next);
      return true;
    }

    private void release() {
      unauthenticatedBytes.addAndGet(-reserved.getAndSet(0));
    }

    @Override
    public void run() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          startDeadline();
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          release();
          if (chunk.getFailure() instanceof TimeoutException) {
            // The client stopped sending its body (or never sent it after Expect: 100-continue):
            // its problem, not the server's.
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            error(
                request,
                response,
                callback,
                408,
                "RequestTimeoutException",
                "The request body did not arrive in time.");
            return;
          }
          callback.failed(chunk.getFailure());
          return;
        }
        ByteBuffer buffer = chunk.getByteBuffer();
        int n = buffer.remaining();
        if ((long) size + n > capacity) {
          chunk.release();
          release();
          tooLarge(request, response, callback, limit);
          return;
        }
        if (size + n > body.length && !grow(size + n)) {
          chunk.release();
          release();
          busy(request, response, callback);
          return;
        }
        buffer.get(body, size, n);
        size += n;
        chunk.release();
        if (chunk.isLast()) {
          cancelDeadline();
          byte[] complete = size == body.length ? body : Arrays.copyOf(body, size);
          body = null;
          call(request, response, callback, headers, complete, this::release);
          return;
        }
      }
    }
  }

  private void call(
      Request request,
      Response response,
      Callback callback,
      SigV4Verifier.Headers headers,
      byte[] body,
      Runnable verified) {
    Operation<?, ?> operation = Dispatcher.operation(request.getHeaders().get("X-Amz-Target"));
    if (operation != null && (operation.writesStore() || operation.isBatch())) {
      // Changes keys (writes and syncs the store file) or does the work of many calls: neither may
      // hold up a selector thread (a demand callback may run on one).
      request
          .getComponents()
          .getExecutor()
          .execute(() -> callNow(request, response, callback, headers, body, verified));
    } else {
      callNow(request, response, callback, headers, body, verified);
    }
  }

  /** Verifies the signature over the body (then runs {@code verified}) and makes the call. */
  private void callNow(
      Request request,
      Response response,
      Callback callback,
      SigV4Verifier.Headers headers,
      byte[] body,
      Runnable verified) {
    try {
      SigV4Verifier.Verified signer;
      try {
        signer = verifier.verifyBody(headers, new Signable(request), body, body.length);
      } catch (SigV4Exception e) {
        error(request, response, callback, AUTH_FAILURE_STATUS, e.errorCode(), e.getMessage());
        return;
      } finally {
        verified.run();
      }
      if (guard != null) {
        guard.authenticated(request.getConnectionMetaData().getRemoteSocketAddress());
      }
      Principal principal = signer.credential().principal();
      request.setAttribute(AccessLog.PRINCIPAL, principal.arn());
      Caller caller = new Caller(principal, regions.get(signer.region()));
      Object operation = request.getAttribute(AccessLog.OPERATION);
      if (audit != null && audit.refusing()) {
        // The trail is failing: the call is not run, only (if the trail is back) recorded.
        audit(
            request,
            operation,
            signer,
            body,
            null,
            INTERNAL,
            List.of(),
            serve -> answer(request, response, callback, refused()));
        return;
      }
      WireResponse r = dispatcher.dispatch(request.getHeaders().get("X-Amz-Target"), body, caller);
      if (r.status() >= 500 && INTERNAL.equals(r.errorCode())) {
        // The engine's message names server-side things (store paths, I/O errors such as a full
        // disk): it goes to the server's log; the client gets AWS's generic message.
        LOG.error(
            "{} in request {}: {}",
            INTERNAL,
            request.getAttribute(AccessLog.REQUEST_ID),
            r.bodyText());
        r = WireResponse.error(r.status(), INTERNAL, INTERNAL_MESSAGE);
      }
      if (audit == null) {
        answer(request, response, callback, r);
        return;
      }
      // Answered once the line is written, on the trail's thread; this one serves other calls.
      WireResponse served = r;
      audit(
          request,
          operation,
          signer,
          body,
          r.isError() ? null : r.body(),
          r.isError() ? r.errorCode() : null,
          r.grantIds(),
          serve -> answer(request, response, callback, serve ? served : refused()));
    } catch (Throwable t) {
      callback.failed(t); // Jetty answers 500 through the error handler
    }
  }

  /** A call not served because its audit line could not be written. */
  private static WireResponse refused() {
    return WireResponse.error(500, INTERNAL, INTERNAL_MESSAGE);
  }

  private static void answer(
      Request request, Response response, Callback callback, WireResponse r) {
    try {
      if (r.isError()) {
        request.setAttribute(AccessLog.ERROR, r.errorCode());
      }
      reply(response, callback, r.status(), r.body());
    } catch (Throwable t) {
      callback.failed(t); // Jetty answers 500 through the error handler
    }
  }

  private static boolean error(
      Request request,
      Response response,
      Callback callback,
      int status,
      String errorCode,
      String message) {
    answer(request, response, callback, WireResponse.error(status, errorCode, message));
    return true;
  }

  private static void reply(Response response, Callback callback, int status, byte[] body) {
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(CONTENT_TYPE_FIELD);
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** The parts of a Jetty request SigV4 signs. */
  private record Signable(Request request) implements SignableRequest {
    @Override
    public String method() {
      return request.getMethod();
    }

    @Override
    public String rawPath() {
      return request.getHttpURI().getPath();
    }

    @Override
    public String rawQuery() {
      return request.getHttpURI().getQuery();
    }

    @Override
    public List<String> headerValues(String lowerCaseName) {
      return request.getHeaders().getValuesList(lowerCaseName);
    }
  }

  /** Records an authenticated call in the audit trail (see {@link ApiAudit#record}). */
  private void audit(
      Request request,
      Object operation,
      SigV4Verifier.Verified signer,
      byte[] body,
      byte[] responseBody,
      String errorCode,
      List<String> grantIds,
      ApiAudit.Then then) {
    audit.record(
        request,
        operation == null ? null : operation.toString(),
        signer.credential().principal().arn(),
        signer.credential().accessKeyId(),
        signer.region(),
        body,
        responseBody,
        errorCode,
        grantIds,
        then);
  }
}
