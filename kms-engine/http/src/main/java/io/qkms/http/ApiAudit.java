package io.qkms.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.audit.AuditEvents;
import io.qkms.engine.audit.AuditTrail;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the audit trail: one line per API call. An authenticated call is recorded
 * before its answer is sent ({@link #record}); a call refused before it authenticated (a bad
 * signature, an unknown key, a wrong method) is recorded when its exchange completes.
 *
 * <p>When a line cannot be written: with {@link Failure#REFUSE}, the call is answered 500
 * KMSInternalException, and while the trail keeps failing, later calls are refused without being
 * run (each one still tries to write its line; the first line written ends the failure); with
 * {@link Failure#LOG}, the server serves and logs each failure.
 */
public final class ApiAudit {
  private static final Logger LOG = LoggerFactory.getLogger(ApiAudit.class);
  static final String AUDITED = "qkms.audited";

  /** What the server does when the trail cannot be written. */
  public enum Failure {
    REFUSE,
    LOG
  }

  private final AuditTrail trail;
  private final Failure failure;
  private final Clock clock;
  private volatile boolean failing;

  public ApiAudit(AuditTrail trail, Failure failure, Clock clock) {
    this.trail = trail;
    this.failure = failure;
    this.clock = clock;
  }

  /** Whether calls must be refused now without running (REFUSE, and the last write failed). */
  boolean refusing() {
    return failing && failure == Failure.REFUSE;
  }

  /**
   * Records a call; returns false if the call must be answered 500 instead (the line was not
   * written and the failure mode is REFUSE).
   */
  boolean record(
      Request request,
      String operation,
      String principalArn,
      String accessKeyId,
      String region,
      byte[] body,
      byte[] responseBody,
      String errorCode,
      List<String> grantIds) {
    request.setAttribute(AUDITED, Boolean.TRUE);
    AuditEvents.Call call = call(request, operation, principalArn, accessKeyId, region);
    return write(call, AuditEvents.api(call, body, responseBody, errorCode, grantIds));
  }

  private AuditEvents.Call call(
      Request request, String operation, String principalArn, String accessKeyId, String region) {
    return new AuditEvents.Call(
        clock.instant(),
        (String) request.getAttribute(AccessLog.REQUEST_ID),
        operation,
        principalArn,
        accessKeyId,
        address(request),
        request.getHeaders().get(HttpHeader.USER_AGENT),
        region);
  }

  private boolean write(AuditEvents.Call call, ObjectNode event) {
    try {
      trail.append(event);
      failing = false;
      return true;
    } catch (IOException | RuntimeException e) {
      failing = true;
      LOG.error(
          "Cannot write the audit trail in {} (request {}): {}",
          trail.directory(),
          call.requestId(),
          e.toString());
      return failure == Failure.LOG;
    }
  }

  /**
   * Records, once its exchange completes, a call that was answered without authenticating. The
   * event is made from the request then; its line is written by a thread of the server's pool,
   * since the exchange may complete on a selector thread, which must not wait for the trail.
   */
  void recordIfRefused(Request request) {
    Request.addCompletionListener(
        request,
        x -> {
          if (request.getAttribute(AUDITED) == null) {
            Object op = request.getAttribute(AccessLog.OPERATION);
            Object error = request.getAttribute(AccessLog.ERROR);
            AuditEvents.Call call =
                call(request, op == null ? null : op.toString(), null, null, null);
            ObjectNode event =
                AuditEvents.api(
                    call, null, null, error == null ? "Aborted" : error.toString(), List.of());
            try {
              request.getComponents().getExecutor().execute(() -> write(call, event));
            } catch (RejectedExecutionException stopping) {
              write(call, event); // the pool takes no more work: written here, not lost
            }
          }
        });
  }

  private static String address(Request request) {
    SocketAddress a = request.getConnectionMetaData().getRemoteSocketAddress();
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress().getHostAddress();
    }
    return a == null ? null : a.toString();
  }
}
