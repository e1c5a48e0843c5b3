package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.ParquetTestFiles;
import io.qkms.pipeline.testing.S3Server;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.WorkerEngines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The job on object storage (the subclasses pick the runner): every format read from and written to
 * a real S3 API server (S3Proxy on 127.0.0.1, path-style, SigV4 with credentials from the AWS
 * default chain), dead letters, a replay of them from S3, and the report, the log and {@code
 * _SUCCESS} beside the output. The runs are made once per class and examined by several tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ObjectStorageEndToEndTest {
  static final String BUCKET = "lake";

  Path dir;
  Samples samples;
  S3Server s3;
  final Map<String, ReKeyJob.Outcome> runs = new LinkedHashMap<>();
  ReKeyJob.Outcome replay;
  final StringBuilder printed = new StringBuilder();

  abstract List<String> runnerArgs();

  @BeforeAll
  void runEveryFormatOnS3() throws IOException {
    dir = Files.createTempDirectory("qkms-s3-");
    samples = Samples.made(dir.resolve("samples"));
    s3 = S3Server.start(dir);
    s3.createBucket(BUCKET);
    S3Server.useCredentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY);
    for (String format : List.of("avro", "jsonl", "parquet")) {
      s3.put(BUCKET, "in/" + format + "/customers." + format, samples.data("customers." + format));
      runs.put(
          format,
          job(
              args(
                  "--input=s3://" + BUCKET + "/in/" + format + "/*." + format,
                  "--output=s3://" + BUCKET + "/runs/" + format)));
    }
    samples.enableKey(Samples.DISABLED_KEY);
    replay =
        job(
            args(
                "--replayDeadLetters=s3://" + BUCKET + "/runs/parquet/dead-letter",
                "--output=s3://" + BUCKET + "/runs/parquet-replay",
                "--maxDeadLetterFraction=1"));
  }

  @AfterAll
  void stopTheServer_andCleanUp() throws IOException {
    S3Server.clearCredentials();
    s3.close();
    assertThat(WorkerEngines.openEnginesUnder(dir), is(0));
    TestDirs.deleteTree(dir);
  }

  List<String> args(String input, String output, String... more) {
    List<String> a = new ArrayList<>();
    a.add(input);
    a.add(output);
    a.add("--s3Endpoint=" + s3.endpoint());
    a.addAll(samples.reKeyArgs(Samples.FIELDS));
    a.addAll(List.of(more));
    return a;
  }

  ReKeyJob.Outcome job(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.addAll(runnerArgs());
    JobRun r = JobRun.echoed(all);
    printed.append(r.out());
    return r.outcome();
  }

  Path run(String name) {
    return s3.bucketDir(BUCKET).resolve("runs").resolve(name);
  }

  @Test
  void everyFormat_succeeds_andTheCountsInTheObjectsAddUp() {
    for (Map.Entry<String, ReKeyJob.Outcome> e : runs.entrySet()) {
      assertThat(e.getKey(), e.getValue().exitCode(), is(ReKeyJob.EXIT_OK));
      RunReport r = e.getValue().report();
      assertThat(e.getKey(), r.committed(), equalTo(new RunReport.Committed(204, 200, 4)));
      assertThat(e.getKey(), r.countsAddUp(), is(true));
    }
  }

  @Test
  void everyFormat_writesItsRecordsDeadLettersReportLogAndSuccessMarker_andNoTemporaryObjects() {
    for (String format : runs.keySet()) {
      String ending = format.equals("jsonl") ? ".jsonl" : ".avro";
      List<String> keys = s3.keys(BUCKET, "runs/" + format + "/");
      String p = "runs/" + format + "/";
      assertThat(
          keys.toString(),
          keys,
          hasItems(
              p + "report.json", p + "report.html", p + "rekey.log", p + ReKeyJob.SUCCESS_FILE));
      assertThat(
          keys.toString(),
          keys.stream().anyMatch(k -> k.startsWith(p + "part-") && k.endsWith("." + format)),
          is(true));
      assertThat(
          keys.toString(),
          keys.stream().anyMatch(k -> k.startsWith(p + "dead-letter/part-") && k.endsWith(ending)),
          is(true));
      assertThat(
          keys.toString(), keys.stream().filter(k -> k.contains(".temp-beam")).toList(), empty());
    }
  }

  @Test
  void theRunsLog_isCopiedBesideTheReport_andNothingIsLeftInTheWorkingDirectory()
      throws IOException {
    ReKeyJob.Outcome o = runs.get("parquet");
    assertThat(o.report().run().get("log"), equalTo("s3://" + BUCKET + "/runs/parquet/rekey.log"));
    // The run's own lines: the file sink names the objects it wrote under the run's prefix.
    assertThat(
        Files.readString(run("parquet").resolve("rekey.log")),
        containsString("s3://" + BUCKET + "/runs/parquet/"));
    try (Stream<Path> here = Files.list(Path.of(""))) {
      assertThat(
          here.map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith("qkms-rekey-"))
              .toList(),
          empty());
    }
  }

  @Test
  void theCredentials_appearInNoObjectTheRunsWrote_norInTheirSummaries() throws IOException {
    for (String format : runs.keySet()) {
      for (String name : List.of("report.json", "report.html", "rekey.log")) {
        assertThat(
            format + " " + name,
            Files.readString(run(format).resolve(name)),
            not(containsString(S3Server.SECRET_KEY)));
      }
    }
    assertThat(printed.toString(), not(containsString(S3Server.SECRET_KEY)));
  }

  @Test
  void parquetOnS3_decryptsUnderTheNewKey_andKeepsTheInputsSchema() {
    List<GenericRecord> records = ParquetTestFiles.parts(run("parquet"));
    Samples.Verified v = samples.verify(records, Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(200L));
    assertThat(
        ParquetTestFiles.footer(Outputs.parts(run("parquet")).get(0)).getFileMetaData().getSchema(),
        equalTo(
            ParquetTestFiles.footer(samples.data("customers.parquet"))
                .getFileMetaData()
                .getSchema()));
  }

  @Test
  void avroOnS3_decryptsUnderTheNewKey() {
    Samples.Verified v = samples.verify(run("avro"), Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is(200L));
  }

  @Test
  void replayFromS3_reKeysTheRecordItsKeyBlocked_andWritesParquet() {
    assertThat(replay.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(replay.report().committed(), equalTo(new RunReport.Committed(4, 1, 3)));
    List<GenericRecord> records = ParquetTestFiles.parts(run("parquet-replay"));
    assertThat(records.size(), is(1));
    assertThat(records.get(0).get("id").toString(), equalTo("bad-disabled-3"));
    assertThat(samples.verify(records, Samples.NEW_KEY, Samples.US_EAST_1).problems(), is(empty()));
  }
}
