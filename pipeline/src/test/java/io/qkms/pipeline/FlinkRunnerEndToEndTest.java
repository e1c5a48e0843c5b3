package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.qkms.pipeline.report.RunReport;
import io.qkms.pipeline.testing.ListeningSockets;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.ParquetTestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The same end-to-end tests on Flink's embedded mini-cluster, with two subtasks (so that records
 * really are split across DoFn instances sharing one worker engine) and --fasterCopy, as the job
 * sets it. Also watches the sockets the embedded cluster listens on while the jobs run.
 */
class FlinkRunnerEndToEndTest extends EndToEndTest {
  private final Set<ListeningSockets.Listener> listenedOn = new HashSet<>();

  @Override
  List<String> runnerArgs() {
    return List.of("--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
  }

  @Override
  ReKeyJob.Outcome job(List<String> args) {
    if (!ListeningSockets.supported()) {
      return super.job(args);
    }
    try (ListeningSockets.Watch watch = ListeningSockets.watch()) {
      ReKeyJob.Outcome outcome = super.job(args);
      listenedOn.addAll(watch.seen());
      return outcome;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Many small bundles per subtask, so that both subtasks write several files: with windowed writes
   * each subtask finalized its own files as {@code part-00000-of-00001.parquet}, and one overwrote
   * the other (the committed-count check then failed the run, exit 3).
   */
  @Test
  void parquet_bothSubtasksWritingManyBundles_writeEveryRecordOnce() throws IOException {
    Path in = Files.createDirectories(dir.resolve("bundled-parquet"));
    for (String name : List.of("a", "b", "c", "d")) {
      Files.copy(samples.data("customers.parquet"), in.resolve(name + ".parquet"));
    }
    Path run = dir.resolve("bundled-parquet-run");
    List<String> args = new ArrayList<>(rekeyArgs(in.resolve("*.parquet"), run));
    args.add("--maxBundleSize=20");

    ReKeyJob.Outcome o = job(args);

    assertThat(o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().committed(), equalTo(new RunReport.Committed(816, 800, 16)));
    List<GenericRecord> written = ParquetTestFiles.parts(run);
    assertThat(written.size(), is(800));
    assertThat(written.stream().map(r -> r.get("id").toString()).distinct().count(), is(200L));
  }

  /**
   * A file of one row group is one split, so one subtask reads it all; the records are then spread
   * over both subtasks, which re-key and write them (one part file each), every record once.
   */
  @Test
  void parquet_oneRowGroup_isReKeyedAndWrittenByBothSubtasks_everyRecordOnce() throws IOException {
    Path in = dir.resolve("one-row-group/customers.parquet");
    ParquetTestFiles.write(
        in,
        ParquetTestFiles.read(samples.data("customers.parquet")).get(0).getSchema(),
        ParquetTestFiles.read(samples.data("customers.parquet")),
        new ParquetTestFiles.Writer(CompressionCodecName.SNAPPY, 128 << 20, 1 << 20, false));
    assertThat(ParquetTestFiles.footer(in).getBlocks().size(), is(1));
    Path run = dir.resolve("one-row-group-run");

    ReKeyJob.Outcome o = job(rekeyArgs(in, run));

    assertThat(o.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(o.report().committed(), equalTo(new RunReport.Committed(204, 200, 4)));
    List<GenericRecord> written = ParquetTestFiles.parts(run);
    assertThat(written.stream().map(r -> r.get("id").toString()).distinct().count(), is(200L));
    assertThat(written.size(), is(200));
    assertThat(Outputs.parts(run).size(), is(2));
  }

  @Test
  void embeddedCluster_listensOnLoopbackOnly() {
    Assumptions.assumeTrue(
        ListeningSockets.supported(), "needs Linux /proc to list listening sockets");
    // Its REST endpoint and BLOB server, at least: seeing them shows the watch works.
    assertThat(listenedOn.toString(), listenedOn.size(), greaterThanOrEqualTo(2));
    List<ListeningSockets.Listener> elsewhere =
        listenedOn.stream().filter(l -> !l.address().isLoopbackAddress()).toList();
    assertThat(elsewhere, is(empty()));
  }
}
