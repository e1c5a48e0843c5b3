package io.qkms.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.Caller;
import io.qkms.engine.audit.AuditEvents;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.store.file.FileKeyStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.ParseResult;

/**
 * The command line's side of the audit trail: a command that calls the engine on a store, or
 * changes it, appends one line to the trail {@code qkms serve} writes ({@code DIR/audit}, or {@code
 * --audit-dir}), in the same chain, with {@code sourceIPAddress} {@value #SOURCE} and the command
 * line's user agent.
 *
 * <p>With {@code --audit-failure=refuse} (the default) a command whose trail cannot be written is
 * not run (exit status 255); if the line fails after the call ran, its result is withheld (exit
 * status 255). With {@code log}, the command runs and warns on stderr.
 */
final class CliAudit implements AutoCloseable {
  /** What CLI lines carry as {@code sourceIPAddress}: not a network address but the CLI. */
  static final String SOURCE = "qkms-cli";

  static final String USER_AGENT = "qkms-cli/" + Qkms.version();

  private final Invocation inv;
  private final AuditTrail trail;
  private final boolean refuse;

  private CliAudit(Invocation inv, AuditTrail trail, boolean refuse) {
    this.inv = inv;
    this.trail = trail;
    this.refuse = refuse;
  }

  /** --audit-failure: refuse (default) or log. Read before the store is opened. */
  static boolean refuses(ParseResult sub) {
    return switch (Invocation.value(sub, "--audit-failure", "refuse")) {
      case "refuse" -> true;
      case "log" -> false;
      default -> throw new UsageException("--audit-failure must be refuse or log");
    };
  }

  /**
   * The trail of {@code store} ({@code --audit-dir} or DIR/audit), checked to be writable: refuses
   * the command (or warns, with log) if it is not.
   */
  static CliAudit open(Invocation inv, ParseResult sub, FileKeyStore store, boolean refuse) {
    String d = Invocation.value(sub, "--audit-dir", null);
    Path dir = d != null ? Path.of(d) : store.directory().resolve("audit");
    byte[] key = store.auditDigestKey();
    AuditTrail trail;
    try {
      trail = AuditTrail.open(dir, key, Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES);
      trail.checkWritable();
    } catch (IOException e) {
      if (refuse) {
        throw new CommandFailedException(
            "Cannot write the audit trail in "
                + dir
                + ": "
                + e.getMessage()
                + "; nothing was done (--audit-failure log runs commands unaudited)",
            e);
      }
      inv.err.println(
          "qkms: warning: cannot write the audit trail in " + dir + ": " + e.getMessage());
      return new CliAudit(inv, null, false);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return new CliAudit(inv, trail, refuse);
  }

  /**
   * Appends an API call's line. Throws (refuse) if it cannot be written: the caller must then not
   * print the call's result.
   *
   * @param operation the API operation's name, e.g. CreateKey
   * @param request the request JSON (or null), recorded by the trail's allow-list
   * @param response the response JSON of a success (or null)
   * @param errorCode the error code of a failed call, or null
   * @param grantIds the grants that allowed the call
   */
  void record(
      String operation,
      Caller caller,
      byte[] request,
      byte[] response,
      String errorCode,
      List<String> grantIds) {
    append(
        operation,
        AuditEvents.api(
            call(operation, caller.principal().arn(), caller.region().name()),
            request,
            response,
            errorCode,
            grantIds));
  }

  /**
   * Appends the line of a store command that is not an API call (an access key created or deleted),
   * run as the account root: {@code parameters} are its request parameters.
   */
  void recordStoreCommand(
      String operation, String rootArn, ObjectNode parameters, String errorCode) {
    ObjectNode event = AuditEvents.api(call(operation, rootArn, null), null, null, errorCode);
    event.set("requestParameters", parameters);
    append(operation, event);
  }

  private static AuditEvents.Call call(String operation, String principalArn, String region) {
    return new AuditEvents.Call(
        Clock.systemUTC().instant(),
        UUID.randomUUID().toString(),
        operation,
        principalArn,
        null,
        SOURCE,
        USER_AGENT,
        region);
  }

  private void append(String operation, ObjectNode event) {
    if (trail == null) {
      return; // not writable when the command started, and told to log
    }
    try {
      trail.append(event);
    } catch (IOException | RuntimeException e) {
      String where = "Cannot write the audit trail in " + trail.directory() + ": " + e;
      if (refuse) {
        throw new CommandFailedException(
            where + "; " + operation + " ran, but its result is withheld as it is unaudited", e);
      }
      inv.err.println("qkms: warning: " + where);
    }
  }

  /** Syncs the trail to disk; a failure then is only warned about (the line was written). */
  @Override
  public void close() {
    if (trail != null) {
      try {
        trail.close();
      } catch (RuntimeException e) {
        inv.err.println(
            "qkms: warning: syncing the audit trail in " + trail.directory() + ": " + e);
      }
    }
  }
}
