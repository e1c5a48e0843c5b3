package io.qkms.samples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.report.ReKeyMetrics;
import io.qkms.pipeline.report.RunReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walk-throughs of samples/README.md, run step by step exactly as {@code scripts/samples
 * walkthrough <name>} runs them (on the Direct runner here).
 */
class WalkthroughsTest {
  @TempDir Path dir;
  final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  Walkthroughs walkthroughs() {
    return new Walkthroughs(
        Samples.at(dir.resolve("work")),
        new PrintStream(printed, true, StandardCharsets.UTF_8),
        List.of("--runner=DirectRunner"));
  }

  /** {@code run}, which must have succeeded. */
  static ReKeyJob.Outcome succeeded(ReKeyJob.Outcome run) {
    assertThat(run.exitCode(), is(ReKeyJob.EXIT_OK));
    return run;
  }

  /** The walk-through's check of its output decrypted {@code records} records, all as expected. */
  static void assertVerified(Walkthroughs.Result r, long records) {
    assertThat(r.checks().get(0).problems(), empty());
    assertThat(r.checks().get(0).records(), is(records));
  }

  /**
   * The walk-through made one run, which succeeded: {@code written} records written (and all of
   * them verified), {@code deadLettered} dead-lettered.
   */
  static void assertOneRun(Walkthroughs.Result r, long written, long deadLettered) {
    assertThat(r.runs(), hasSize(1));
    ReKeyJob.Outcome o = succeeded(r.runs().get(0));
    assertThat(o.report().written(), is(written));
    assertThat(o.report().deadLettered(), is(deadLettered));
    assertVerified(r, written);
  }

  @Test
  void a_rekey_movesEveryGoodRecordToTheNewKey() throws IOException {
    assertOneRun(walkthroughs().run("rekey"), Samples.CUSTOMERS, 4);
  }

  @Test
  void b_rotation_firstRunMovesToTheNewMaterial_secondRunIsANoOp() throws IOException {
    Walkthroughs.Result r = walkthroughs().run("rotation");
    ReKeyJob.Outcome first = r.runs().get(0);
    ReKeyJob.Outcome second = r.runs().get(1);
    assertThat(
        first.report().counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is((long) Samples.SMALL_SET));
    assertThat(second.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(second.report().counter(ReKeyMetrics.RECORDS_RE_ENCRYPTED), is(0L));
    assertThat(
        second.report().counter(ReKeyMetrics.RECORDS_SKIPPED_AS_CURRENT),
        is((long) Samples.SMALL_SET));
    assertThat(r.checks().get(0).problems(), empty());
    assertThat(
        printed.toString(StandardCharsets.UTF_8),
        containsString("$ scripts/samples rotate alias/sample-rotating"));
  }

  @Test
  void c_crossRegion_reEncryptsInEuWest1ThroughTheReplica_toTheEuKey() throws IOException {
    // verify() decrypted every field in eu-west-1 under alias/sample-eu.
    assertOneRun(walkthroughs().run("cross-region"), Samples.SMALL_SET, 0);
  }

  @Test
  void d_badRecords_areShown_andReplayAfterEnablingTheKeyRecoversTheBlockedOne()
      throws IOException {
    Walkthroughs.Result r = walkthroughs().run("bad-records");
    assertThat(r.deadLetters(), hasSize(4));
    assertThat(
        r.deadLetters().stream().map(l -> l.split("  ")[0] + " " + l.split("  ")[1]).toList(),
        contains(
            "bad-context-2 InvalidCiphertextException",
            "bad-disabled-3 DisabledException",
            "bad-notenant-5 ContextFieldMissing",
            "bad-tampered-1 InvalidCiphertextException"));
    ReKeyJob.Outcome replay = r.runs().get(1);
    assertThat(replay.report().read(), is(4L));
    assertThat(replay.report().written(), is(1L));
    assertThat(
        replay.report().deadLettersByCode(),
        equalTo(Map.of("InvalidCiphertextException", 2L, "ContextFieldMissing", 1L)));
    assertVerified(r, 1L);
    assertThat(
        printed.toString(StandardCharsets.UTF_8),
        containsString("$ scripts/samples enable-key alias/sample-disabled"));
  }

  @Test
  void f_parquet_writesParquetUnderTheNewKey_withTheInputsCodec_andAvroDeadLetters()
      throws IOException {
    Walkthroughs.Result r = walkthroughs().run("parquet");
    ReKeyJob.Outcome o = succeeded(r.runs().get(0));
    assertThat(o.report().run().get("inputFormat"), equalTo("parquet"));
    assertThat(o.report().run().get("parquetCodec"), equalTo("SNAPPY"));
    assertThat(o.report().committed(), equalTo(new RunReport.Committed(204, 200, 4)));
    Path run = dir.resolve("work/runs/f-parquet");
    assertThat(
        Samples.parts(run).stream().map(p -> p.getFileName().toString()).toList(),
        everyItem(endsWith(".parquet")));
    assertThat(
        Samples.parts(run.resolve("dead-letter")).stream()
            .map(p -> p.getFileName().toString())
            .toList(),
        everyItem(endsWith(".avro")));
    // verify() read the Parquet output and decrypted every field under the new key.
    assertVerified(r, Samples.CUSTOMERS);
    assertThat(r.deadLetters(), hasSize(4));
  }

  @Test
  void
      g_envelope_reWrapsOnlyTheDataKeys_tinkOpensTheOutputWithTheNewKey_aCutOffEnvelopeIsADeadLetter()
          throws IOException {
    Walkthroughs.Result r = walkthroughs().run("envelope");
    ReKeyJob.Outcome o = succeeded(r.runs().get(0));
    assertThat(
        o.report().committed(),
        equalTo(new RunReport.Committed(Documents.GOOD + 1, Documents.GOOD, 1)));
    assertThat(o.report().deadLettersByCode(), equalTo(Map.of("MalformedEnvelope", 1L)));
    // verify() opened every document with Tink, its data key unwrapped under the new key only.
    assertVerified(r, Documents.GOOD);
    assertThat(r.checks().get(0).fields(), is((long) Documents.GOOD));
    assertThat(r.deadLetters(), hasSize(1));
    assertThat(r.deadLetters().get(0), startsWith("doc-bad-truncated  MalformedEnvelope"));
    // The same documents do not open under the old key any more.
    Samples.Verified old =
        Samples.at(dir.resolve("work"))
            .verify(dir.resolve("work/runs/g-envelope"), Samples.OLD_KEY, Samples.US_EAST_1);
    assertThat(old.problems(), hasSize(Documents.GOOD));
  }

  @Test
  void unknownWalkthrough_isRefusedListingTheKnownOnes() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> walkthroughs().run("teleport"));
    assertThat(e.getMessage(), startsWith("Unknown walk-through 'teleport': rekey, rotation"));
  }
}
