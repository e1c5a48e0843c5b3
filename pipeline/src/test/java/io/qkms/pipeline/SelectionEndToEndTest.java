package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.CiphertextHeader;
import io.qkms.pipeline.report.ReportPage;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --onlySourceKeys and --onlyMaterialsCreatedBefore on the Direct runner, over records under two
 * keys and two materials of one key (the second created ten days ahead), a null and a blob that is
 * no QKMS ciphertext.
 */
class SelectionEndToEndTest {
  @TempDir static Path dir;
  static Samples samples;
  static List<String> materials;
  static Map<String, byte[]> inputBlobs = new HashMap<>();

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    materials = samples.mixedMaterials(Duration.ofDays(10));
    for (GenericRecord r : Outputs.avroFile(samples.data("mixed.avro"))) {
      inputBlobs.put(r.get("id").toString(), blob(r));
    }
  }

  static byte[] blob(GenericRecord r) {
    return r.get("secret") == null ? null : Outputs.bytes(r.get("secret"));
  }

  static JobRun rekey(Path out, String destination, String... more) {
    return ReKeyJobTest.run(args(out, destination, more));
  }

  /** The job's arguments that re-key the mixed set's secrets to {@code destination}, and more. */
  static String[] args(Path out, String destination, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--input=" + samples.data("mixed.avro"),
                "--output=" + out,
                "--keystore=" + samples.keystore(),
                "--fields=secret",
                "--destinationKeyId=" + destination));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  static JsonNode report(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve(ReKeyJob.REPORT_FILE).toFile());
  }

  /** Output records by ID, with the key ID and material their secret's header names. */
  static Map<String, CiphertextHeader> headers(Path out) {
    Map<String, CiphertextHeader> m = new HashMap<>();
    for (GenericRecord r : Outputs.avro(out)) {
      byte[] b = blob(r);
      m.put(r.get("id").toString(), b == null ? null : KmsEngine.readCiphertextHeader(b));
    }
    return m;
  }

  @Test
  void onlySourceKeys_reKeysOnlyThatKeysBlobs_andPassesTheOthersThroughByteForByte()
      throws IOException {
    Path out = dir.resolve("only-old");
    JobRun r = rekey(out, Samples.NEW_KEY, "--onlySourceKeys=" + Samples.OLD_KEY);
    // The junk blob is not passed through: ReEncrypt dead-letters it (1 of 62 records).
    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    JsonNode report = report(out);
    int others = Samples.MIXED_FIRST_MATERIAL + Samples.MIXED_SECOND_MATERIAL;
    assertThat(report.at("/records/reEncrypted").asLong(), is((long) Samples.MIXED_OLD_KEY));
    assertThat(report.at("/records/skippedBySelection").asLong(), is((long) others));
    assertThat(report.at("/fields/skippedBySelection").asLong(), is((long) others));
    assertThat(report.at("/records/passedThroughAllNull").asLong(), is(1L));
    assertThat(report.at("/records/deadLettered").asLong(), is(1L));
    assertThat(report.at("/deadLetteredByErrorCode/InvalidCiphertextException").asLong(), is(1L));
    assertThat(report.at("/checks/countsAddUp").asBoolean(), is(true));
    assertThat(report.at("/checks/committedCountsMatch").asBoolean(), is(true));
    assertThat(report.at("/run/selection").asText(), containsString(Samples.OLD_KEY));
    assertThat(r.out(), containsString(String.format("%,d not selected", others)));

    String newKeyId = keyId(Samples.NEW_KEY);
    for (GenericRecord rec : Outputs.avro(out)) {
      String id = rec.get("id").toString();
      if (id.startsWith("c-")) {
        assertThat(id, KmsEngine.readCiphertextHeader(blob(rec)).keyId().value(), is(newKeyId));
      } else if (id.startsWith("a-") || id.startsWith("b-")) {
        assertThat(id, blob(rec), equalTo(inputBlobs.get(id)));
      }
    }
    String page = Files.readString(out.resolve(ReportPage.FILE));
    assertThat(page, containsString("Not selected (passed through)"));
    assertThat(page, containsString("<data value=\"" + others + "\""));
  }

  @Test
  void onlyMaterialsCreatedBefore_withSkipIfCurrent_isAnIdempotentScheduledRotation()
      throws IOException {
    // Between the rotating key's two materials: the first (and the old key's) is older.
    String between = Instant.now().plus(Duration.ofDays(5)).toString();
    Path first = dir.resolve("rotation-1");
    JobRun r =
        rekey(
            first,
            Samples.ROTATING_KEY,
            "--onlyMaterialsCreatedBefore=" + between,
            "--skipIfCurrent");
    assertThat(r.err() + r.out(), r.outcome().exitCode(), is(0));
    JsonNode report = report(first);
    // The first material's blobs and the old key's move to the rotating key's newest material;
    // the blobs already under it are not selected (created after the time).
    assertThat(
        report.at("/records/reEncrypted").asLong(),
        is((long) Samples.MIXED_FIRST_MATERIAL + Samples.MIXED_OLD_KEY));
    assertThat(
        report.at("/records/skippedBySelection").asLong(),
        is((long) Samples.MIXED_SECOND_MATERIAL));
    Map<String, CiphertextHeader> headers = headers(first);
    for (Map.Entry<String, CiphertextHeader> h : headers.entrySet()) {
      if (h.getValue() != null) {
        assertThat(h.getKey(), h.getValue().materialId().hex(), is(materials.get(1)));
      }
    }

    // The same command over its own output: nothing left to do.
    Path second = dir.resolve("rotation-2");
    JobRun again =
        ReKeyJobTest.run(
            "--input=" + first,
            "--output=" + second,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + Samples.ROTATING_KEY,
            "--onlyMaterialsCreatedBefore=" + between,
            "--skipIfCurrent");
    assertThat(again.err() + again.out(), again.outcome().exitCode(), is(0));
    JsonNode report2 = report(second);
    assertThat(report2.at("/records/reEncrypted").asLong(), is(0L));
    assertThat(report2.at("/records/read").asLong(), is(report2.at("/records/written").asLong()));
  }

  @Test
  void aMalformedSourceKey_isAUsageError_namingTheOption() {
    String err =
        ReKeyJobTest.usageError(accepted(dir.resolve("bad-key"), "--onlySourceKeys=key-one,"));
    assertThat(err, containsString("rekey: --onlySourceKeys: 'key-one' is not a key identifier"));
    assertThat(Files.exists(dir.resolve("bad-key")), is(false));
  }

  @Test
  void aSourceKeyThatDoesNotExist_isAUsageError_namingTheOption() {
    String err =
        ReKeyJobTest.usageError(
            accepted(dir.resolve("no-key"), "--onlySourceKeys=alias/no-such-key"));
    assertThat(err, containsString("rekey: --onlySourceKeys: the key alias/no-such-key"));
    assertThat(err, containsString("NotFoundException"));
  }

  @Test
  void aMalformedTime_isAUsageError_namingTheOption() {
    for (String bad : List.of("yesterday", "2025-13-01", "P-5D", "")) {
      String err =
          ReKeyJobTest.usageError(
              accepted(dir.resolve("bad-time"), "--onlyMaterialsCreatedBefore=" + bad));
      assertThat(bad, err, containsString("rekey: --onlyMaterialsCreatedBefore: '" + bad + "'"));
    }
  }

  /** Arguments the job accepts, plus {@code more}. */
  static String[] accepted(Path out, String... more) {
    return args(out, Samples.NEW_KEY, more);
  }

  static String keyId(String alias) {
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      String arn = admin.arn(alias, Samples.US_EAST_1);
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
  }
}
