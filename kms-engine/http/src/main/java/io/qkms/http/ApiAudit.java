package io.qkms.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.audit.AuditEvents;
import io.qkms.engine.audit.AuditTrail;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.List;
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

  /** What becomes of an audited call once its line is settled. */
  @FunctionalInterface
  interface Then {
    /**
     * Runs once the line is written or failed: {@code serve} is false if the call must be answered
     * 500 instead (the line was not written and the failure mode is REFUSE). Runs on the trail's
     * thread: it must not block.
     */
    void recorded(boolean serve);
  }

  /**
   * Records a call and then runs {@code then}; nothing waits for the line, so the thread that ran
   * the call goes on serving others while the trail writes it.
   */
  void record(
      Request request,
      String operation,
      String principalArn,
      String accessKeyId,
      String region,
      byte[] body,
      byte[] responseBody,
      String errorCode,
      List<String> grantIds,
      Then then) {
    request.setAttribute(AUDITED, Boolean.TRUE);
    AuditEvents.Call call = call(request, operation, principalArn, accessKeyId, region);
    write(call, AuditEvents.api(call, body, responseBody, errorCode, grantIds), then);
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

  private void write(AuditEvents.Call call, ObjectNode event, Then then) {
    trail.append(
        event,
        (IOException e) -> {
          if (e == null) {
            failing = false;
            then.recorded(true);
            return;
          }
          failing = true;
          LOG.error(
              "Cannot write the audit trail in {} (request {}): {}",
              trail.directory(),
              call.requestId(),
              e.toString());
          then.recorded(failure == Failure.LOG);
        });
  }

  /**
   * Records, once its exchange completes, a call that was answered without authenticating. The
   * event is made from the request then, and queued for the trail (nothing waits for it).
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
            write(call, event, serve -> {});
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
