package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;

import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --estimateOnly: counts, samples, calibrates and prints; writes nothing; exit 0. */
class EstimateOnlyTest {
  @TempDir static Path dir;
  static Samples samples;

  @BeforeAll
  static void data() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
  }

  static JobRun estimate(Path input, Path out) {
    return estimate(input, out, Samples.TENANT_CONTEXT);
  }

  static JobRun estimate(Path input, Path out, String sourceContext) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "--estimateOnly",
                "--input=" + input,
                "--output=" + out,
                "--keystore=" + samples.keystore(),
                "--fields=" + Samples.FIELDS,
                "--destinationKeyId=" + Samples.NEW_KEY,
                "--sourceEncryptionContext=" + sourceContext,
                "--destinationEncryptionContext=" + Samples.TENANT_CONTEXT));
    return ReKeyJobTest.run(args.toArray(new String[0]));
  }

  @Test
  void avro_countsTheRecords_triesTheSample_andPrintsTheExpectedDuration_writingNothing() {
    Path out = dir.resolve("estimate-avro");
    JobRun r = estimate(samples.data("customers.avro"), out);
    assertThat(r.err(), r.outcome().exitCode(), is(0));
    assertThat(r.out(), containsString("QKMS re-key estimate (nothing was written):"));
    assertThat(
        r.out(), containsString("input: " + (Samples.CUSTOMERS + 4) + " records in 1 file, "));
    assertThat(r.out(), containsString("counted from Avro block headers"));
    // The four bad records of the samples: each fails in its own way.
    assertThat(
        r.out(),
        containsString(
            "sample: "
                + (Samples.CUSTOMERS + 4)
                + " records tried with the run's settings: "
                + Samples.CUSTOMERS
                + " re-encrypt"));
    assertThat(r.out(), matchesPattern("(?s).*calibration: [0-9,]+ records/s on one thread.*"));
    assertThat(r.out(), matchesPattern("(?s).*expected duration: about [0-9.]+ s \\(start-up.*"));
    assertThat(Files.exists(out), is(false));
  }

  @Test
  void jsonLines_countLineBreaks() {
    JobRun r = estimate(samples.data("customers.jsonl"), dir.resolve("estimate-json"));
    assertThat(r.err(), r.outcome().exitCode(), is(0));
    assertThat(r.out(), containsString("counted from line breaks"));
    assertThat(r.out(), containsString("input: " + (Samples.CUSTOMERS + 4) + " records"));
  }

  @Test
  void settingsThatReKeyNothing_areStillAUsageError() {
    JobRun r =
        estimate(
            samples.data("customers.avro"), dir.resolve("estimate-bad"), "{\"tenant\":\"nobody\"}");
    assertThat(r.outcome().exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(r.err(), containsString("None of the"));
  }
}
