package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.census.CensusReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --census over records under two keys and two materials of one key, with a null, a blob that is no
 * QKMS ciphertext and (JSON Lines) a number and a string that is not base64: counted by reason,
 * never a crash; nothing written but census.json; what can be retired (after a re-key to the
 * current material, the old material and the old key).
 */
class CensusEndToEndTest {
  @TempDir static Path dir;
  static Samples samples;
  static List<String> materials;

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    materials = samples.mixedMaterials(Duration.ofDays(10));
  }

  /** A census of {@code input} into {@code out}, which must succeed. */
  static JobRun census(Path input, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("--census", "--input=" + input, "--output=" + out, "--fields=secret"));
    args.addAll(List.of(more));
    JobRun r = ReKeyJobTest.run(args.toArray(new String[0]));
    assertThat(r.err(), r.outcome().exitCode(), is(0));
    return r;
  }

  static JsonNode json(Path out) throws IOException {
    return new ObjectMapper().readTree(out.resolve(CensusReport.FILE).toFile());
  }

  static String keyId(String alias) {
    try (Outputs.Admin admin = new Outputs.Admin(samples)) {
      String arn = admin.arn(alias, Samples.US_EAST_1);
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
  }

  static JsonNode key(JsonNode census, String keyId) {
    for (JsonNode k : census.get("keys")) {
      if (k.get("keyId").asText().equals(keyId)) {
        return k;
      }
    }
    throw new AssertionError("no key " + keyId + " in " + census);
  }

  @Test
  void withTheKeyStore_countsBlobsPerMaterial_withDatesCurrentAndVerdicts() throws IOException {
    Path out = dir.resolve("census-avro");
    JobRun r = census(samples.data("mixed.avro"), out, "--keystore=" + samples.keystore());
    JsonNode c = json(out);
    assertThat(c.get("records").asLong(), is(62L));
    assertThat(c.get("blobs").asLong(), is(60L));
    // The processing window (first record to the end) lies within the whole census.
    assertThat(c.get("processingSeconds").asDouble(), greaterThan(0.0));
    assertThat(
        c.get("processingSeconds").asDouble(),
        lessThanOrEqualTo(c.get("elapsedSeconds").asDouble() + 0.05));
    assertThat(c.get("processingRecordsPerSecond").asDouble(), greaterThan(0.0));
    assertThat(c.at("/notParsed/null").asLong(), is(1L));
    assertThat(c.at("/notParsed/notQkmsBlob").asLong(), is(1L));

    JsonNode rotating = key(c, keyId(Samples.ROTATING_KEY));
    assertThat(rotating.get("blobs").asLong(), is(50L));
    assertThat(rotating.get("verdict").asText(), is("still referenced by 50 blobs"));
    assertThat(rotating.at("/aliases/0").asText(), is(Samples.ROTATING_KEY));
    JsonNode first = rotating.at("/materials/0");
    JsonNode second = rotating.at("/materials/1");
    assertThat(first.get("keyMaterialId").asText(), is(materials.get(0)));
    assertThat(first.get("blobs").asLong(), is((long) Samples.MIXED_FIRST_MATERIAL));
    assertThat(first.get("current").asBoolean(), is(false));
    assertThat(second.get("keyMaterialId").asText(), is(materials.get(1)));
    assertThat(second.get("current").asBoolean(), is(true));
    assertThat(second.at("/byField/secret").asLong(), is((long) Samples.MIXED_SECOND_MATERIAL));
    assertThat(
        java.time.Instant.parse(second.get("created").asText())
            .isAfter(
                java.time.Instant.parse(first.get("created").asText()).plus(Duration.ofDays(9))),
        is(true));

    // A key of the store that no blob names.
    JsonNode unused = key(c, keyId(Samples.NEW_KEY));
    assertThat(unused.get("blobs").asLong(), is(0L));
    assertThat(unused.get("verdict").asText(), is("no references in this data"));
    assertThat(unused.at("/materials/0/verdict").asText(), is("no references in this data"));
    // Retirement: only what nothing names; a current material never.
    assertThat(unused.get("retirable").asBoolean(), is(true));
    assertThat(unused.at("/materials/0/retirable").asBoolean(), is(false));
    assertThat(rotating.get("retirable").asBoolean(), is(false));
    assertThat(first.get("retirable").asBoolean(), is(false));
    assertThat(second.get("retirable").asBoolean(), is(false));
    assertThat(c.at("/retirement/materials").size(), is(0));
    assertThat(
        c.at("/retirement/scope").asText(),
        is(
            "over the 62 records read; data not read here may still name these; 1 value could"
                + " not be read as QKMS ciphertexts and is not counted"));
    assertThat(
        r.out(),
        containsString(
            "  key "
                + unused.get("keyArn").asText()
                + ": can be retired (disabled, then scheduled for deletion): no blob names it"));

    assertThat(r.out(), containsString("QKMS census: 62 records, 60 blobs in 1 field"));
    assertThat(r.out(), containsString("not parsed in secret: notQkmsBlob 1, null 1"));
    assertThat(
        r.out(),
        containsString(
            "material " + materials.get(1) + " (current): still referenced by 20 blobs"));
    assertThat(r.out(), containsString(": no references in this data"));
    // Nothing but census.json was written.
    try (Stream<Path> files = Files.list(out)) {
      assertThat(
          files.map(p -> p.getFileName().toString()).toList(), equalTo(List.of(CensusReport.FILE)));
    }
  }

  @Test
  void withoutAKeyStore_namesKeysByIdFromTheHeadersAlone() throws IOException {
    Path out = dir.resolve("census-no-store");
    JobRun r = census(samples.data("mixed.avro"), out);
    JsonNode c = json(out);
    assertThat(c.get("keys").size(), is(2));
    JsonNode rotating = key(c, keyId(Samples.ROTATING_KEY));
    assertThat(rotating.get("inKeyStore").isNull(), is(true));
    assertThat(rotating.at("/materials/0/current").isNull(), is(true));
    assertThat(c.get("note").asText(), containsString("no --keystore"));
    assertThat(r.out(), containsString("note: no --keystore"));
    assertThat(rotating.get("retirable").asBoolean(), is(false));
    assertThat(rotating.at("/materials/0/retirable").asBoolean(), is(false));
    assertThat(c.at("/retirement/keys").size(), is(0));
    assertThat(r.out(), containsString("not judged: without a key store"));
  }

  @Test
  void afterReKeyingToTheCurrentMaterial_theOldMaterialAndTheOldKeyCanBeRetired()
      throws IOException {
    Path rekeyed = dir.resolve("rekeyed");
    JobRun run =
        ReKeyJobTest.run(
            "--input=" + samples.data("mixed.avro"),
            "--output=" + rekeyed,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + Samples.ROTATING_KEY);
    assertThat(run.err(), run.outcome().exitCode(), is(0));
    Path out = dir.resolve("census-after");
    JobRun r = census(rekeyed, out, "--keystore=" + samples.keystore());
    JsonNode c = json(out);
    JsonNode rotating = key(c, keyId(Samples.ROTATING_KEY));
    assertThat(rotating.get("blobs").asLong(), is(60L));
    assertThat(rotating.get("retirable").asBoolean(), is(false));
    JsonNode first = rotating.at("/materials/0");
    assertThat(first.get("keyMaterialId").asText(), is(materials.get(0)));
    assertThat(first.get("blobs").asLong(), is(0L));
    assertThat(first.get("retirable").asBoolean(), is(true));
    assertThat(rotating.at("/materials/1/retirable").asBoolean(), is(false));
    JsonNode old = key(c, keyId(Samples.OLD_KEY));
    assertThat(old.get("retirable").asBoolean(), is(true));

    List<String> keys = new ArrayList<>();
    c.at("/retirement/keys").forEach(k -> keys.add(k.asText()));
    assertThat(keys.contains(old.get("keyArn").asText()), is(true));
    assertThat(keys.contains(rotating.get("keyArn").asText()), is(false));
    assertThat(c.at("/retirement/materials").size(), is(1));
    assertThat(c.at("/retirement/materials/0/keyMaterialId").asText(), is(materials.get(0)));
    assertThat(
        r.out(),
        containsString(
            "  material "
                + materials.get(0)
                + " of key "
                + rotating.get("keyArn").asText()
                + ": can be retired: not current and no blob names it"));
  }

  @Test
  void jsonLines_countWrongTypesAndBadBase64ByReason_neverACrash() throws IOException {
    Path out = dir.resolve("census-jsonl");
    census(samples.data("mixed.jsonl"), out, "--keystore=" + samples.keystore());
    JsonNode c = json(out);
    assertThat(c.get("records").asLong(), is(64L));
    assertThat(c.get("blobs").asLong(), is(60L));
    JsonNode np = c.at("/fields/0/notParsed");
    assertThat(np.get("null").asLong(), is(1L));
    assertThat(np.get("notQkmsBlob").asLong(), is(1L));
    assertThat(np.get("InvalidFieldType").asLong(), is(1L));
    assertThat(np.get("InvalidBase64").asLong(), is(1L));
  }

  @Test
  void onTheFlinkRunner_countsTheSame() throws IOException {
    Path direct = dir.resolve("census-direct");
    Path flink = dir.resolve("census-flink");
    census(samples.data("mixed.avro"), direct, "--keystore=" + samples.keystore());
    ReKeyJob.Outcome o =
        ReKeyJob.run(
            new String[] {
              "--census",
              "--input=" + samples.data("mixed.avro"),
              "--output=" + flink,
              "--fields=secret",
              "--keystore=" + samples.keystore(),
              "--runner=FlinkRunner",
              "--parallelism=2"
            },
            System.out,
            System.err);
    assertThat(o.exitCode(), is(0));
    assertThat(json(flink).get("keys"), equalTo(json(direct).get("keys")));
    assertThat(json(flink).get("fields"), equalTo(json(direct).get("fields")));
  }

  @Test
  void aCensusNeedsNoDestinationKey_butRefusesSelectionAndAFullOutput() throws IOException {
    Path full = dir.resolve("full");
    Files.createDirectories(full);
    Files.writeString(full.resolve("x"), "x");
    assertThat(
        ReKeyJobTest.usageError(
            "--census",
            "--input=" + samples.data("mixed.avro"),
            "--output=" + full,
            "--fields=secret"),
        containsString("is not empty"));
    assertThat(
        ReKeyJobTest.usageError(
            "--census",
            "--input=" + samples.data("mixed.avro"),
            "--output=" + dir.resolve("sel"),
            "--fields=secret",
            "--onlySourceKeys=" + Samples.OLD_KEY),
        containsString("--census counts every ciphertext"));
    assertThat(Outputs.parts(full), is(empty()));
    assertThat(Files.exists(dir.resolve("sel")), is(not(true)));
  }
}
