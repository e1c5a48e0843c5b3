package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.audit.AuditVerifier;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on the embedded engine (--keystore) leaves one line per key pair in the store's audit
 * trail, with the counts, written by the launcher after the job: not a line per record.
 */
class EmbeddedRunAuditTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aRunAppendsOneLinePerKeyPair_withItsCounts_andTheTrailStaysIntact() throws Exception {
    Samples samples = Samples.made(dir.resolve("samples"));
    Path out = dir.resolve("out");
    JobRun r = ReKeyJobTest.run(samples.reKeyArgs(samples.data("customers.avro"), out));
    assertThat(r.err(), r.outcome().report(), notNullValue());
    JsonNode report = JSON.readTree(Files.readString(out.resolve(ReKeyJob.REPORT_FILE)));
    String runId = report.at("/run/runId").asText();
    assertThat(report.at("/run/auditTrail").asText(), containsString(" line(s) in "));

    Path audit = samples.keystore().resolve("audit");
    List<JsonNode> lines = new ArrayList<>();
    for (Path f : AuditTrail.files(audit)) {
      for (String l : Files.readAllLines(f)) {
        JsonNode e = JSON.readTree(l);
        if (e.path("sourceIPAddress").asText().equals(RunAudit.SOURCE)) {
          lines.add(e);
        }
      }
    }
    assertThat(lines.size(), greaterThan(0));
    long reEncrypted = 0;
    long failed = 0;
    var pairs = new HashSet<String>();
    for (JsonNode e : lines) {
      assertThat(e.path("eventName").asText(), equalTo(RunAudit.EVENT));
      assertThat(e.path("principalArn").asText(), equalTo("arn:verenc:111122223333:root"));
      assertThat(e.at("/additionalEventData/runId").asText(), equalTo(runId));
      JsonNode params = e.path("requestParameters");
      assertThat(params.path("DestinationKeyId").asText(), equalTo(Samples.NEW_KEY));
      pairs.add(params.path("SourceKeyId").asText("-") + " " + params.path("DestinationKeyId"));
      long pairReEncrypted = e.at("/additionalEventData/ciphertextsReEncrypted").asLong();
      if (pairReEncrypted > 0) {
        // A ciphertext that was re-encrypted was counted under the key that opened it.
        assertThat(
            params.path("SourceKeyId").asText(),
            matchesPattern("arn:verenc:111122223333:key/[0-9a-f-]{36}"));
      }
      reEncrypted += pairReEncrypted;
      failed += e.at("/additionalEventData/ciphertextsFailed").asLong();
    }
    assertThat("one line per key pair", pairs.size(), is(lines.size()));
    assertThat(reEncrypted, is(report.at("/fields/reEncrypted").asLong()));
    assertThat(reEncrypted, greaterThan(0L));
    // Failures at ReEncrypt; the rest of the dead letters failed before any call (bad input).
    assertThat(failed, lessThanOrEqualTo(report.at("/records/deadLettered").asLong()));
    assertThat(lines.size(), lessThanOrEqualTo(Samples.CUSTOMERS / 10)); // not a line per record

    RootKeySource source = RootKeySource.fromEnvironment(samples.keystore(), Map.of());
    try (FileKeyStore store =
        FileKeyStore.open(samples.keystore(), source, FileKeyStore.Mode.READ_ONLY)) {
      assertThat(
          AuditVerifier.verify(audit, store.auditDigestKey(), null, null).problem(), nullValue());
    }
  }
}
