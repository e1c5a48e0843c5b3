package io.qkms.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Caller;
import io.qkms.engine.audit.AuditEvents;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.worker.WorkerEngines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The embedded engine's record of a run in the key store's audit trail ({@code <keystore>/audit},
 * the trail {@code qkms serve} and the command line write): one line per key pair the run used,
 * with the counts of ciphertexts re-encrypted and failed, not a line per record. Written by the
 * launcher once the job is over (never by the workers), as the run's principal.
 */
final class RunAudit {
  static final String SOURCE = "qkms-rekey";
  static final String EVENT = "ReKeyRun";

  private RunAudit() {}

  /**
   * Appends the run's lines; returns how many, or throws if the trail cannot be written (the
   * launcher reports it: the job has already run).
   *
   * @param counters the job's counters (this attempt's: {@link
   *     ReKeyMetrics#PAIR_RE_ENCRYPTED_PREFIX} and {@link ReKeyMetrics#PAIR_FAILED_PREFIX})
   */
  static int record(JobPlan plan, Map<String, Long> counters) throws Exception {
    Map<String, long[]> pairs = new TreeMap<>(); // "source destination" -> {re-encrypted, failed}
    for (Map.Entry<String, Long> c : counters.entrySet()) {
      String name = c.getKey();
      int slot;
      String pair;
      if (name.startsWith(ReKeyMetrics.PAIR_RE_ENCRYPTED_PREFIX)) {
        slot = 0;
        pair = name.substring(ReKeyMetrics.PAIR_RE_ENCRYPTED_PREFIX.length());
      } else if (name.startsWith(ReKeyMetrics.PAIR_FAILED_PREFIX)) {
        slot = 1;
        pair = name.substring(ReKeyMetrics.PAIR_FAILED_PREFIX.length());
      } else {
        continue;
      }
      pairs.computeIfAbsent(pair, k -> new long[2])[slot] += c.getValue();
    }
    if (pairs.isEmpty()) {
      return 0;
    }
    Path dir = Path.of(plan.keystore());
    FileKeyStore store = WorkerEngines.openReadOnly(dir, System.getenv());
    byte[] key = store.auditDigestKey();
    try (store;
        KmsEngine engine = KmsEngine.builder().keyStore(store).build();
        AuditTrail trail =
            AuditTrail.open(
                dir.resolve("audit"), key, Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES)) {
      Caller caller = WorkerEngines.caller(engine, dir.toString(), plan.region(), plan.principal());
      int n = 0;
      for (Map.Entry<String, long[]> p : pairs.entrySet()) {
        n++;
        int space = p.getKey().indexOf(' ');
        String sourceKey = p.getKey().substring(0, space);
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        if (!sourceKey.equals(ReKeyMetrics.UNKNOWN_KEY)) {
          request.put("SourceKeyId", sourceKey);
        }
        request.put("DestinationKeyId", p.getKey().substring(space + 1));
        ObjectNode event =
            AuditEvents.api(
                new AuditEvents.Call(
                    Clock.systemUTC().instant(),
                    plan.runId() + "/" + n,
                    EVENT,
                    caller.principal().arn(),
                    null,
                    SOURCE,
                    SOURCE + "/" + version(),
                    caller.region().name()),
                request.toString().getBytes(StandardCharsets.UTF_8),
                null,
                null);
        ObjectNode more = event.putObject("additionalEventData");
        more.put("runId", plan.runId());
        more.put("ciphertextsReEncrypted", p.getValue()[0]);
        more.put("ciphertextsFailed", p.getValue()[1]);
        trail.append(event);
      }
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    return pairs.size();
  }

  private static String version() {
    String v = RunAudit.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
