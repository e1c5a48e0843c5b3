package io.qkms.pipeline.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.testing.ParquetTestFiles;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.internal.filter2.columnindex.RowRanges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading Parquet files in splits of whole row groups: every row exactly once, whatever the cuts.
 */
class ParquetSplitsTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredString("pad").endRecord();

  @TempDir Path dir;

  /** A file of {@code n} records in row groups of a few KiB (written by parquet-avro). */
  private Path file(String name, int n) throws IOException {
    return file(name, n, ParquetTestFiles.Writer.smallRowGroups());
  }

  private Path file(String name, int n, ParquetTestFiles.Writer how) throws IOException {
    Path f = dir.resolve(name);
    List<GenericRecord> records = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      GenericData.Record r = new GenericData.Record(SCHEMA);
      r.put("id", i);
      r.put("pad", "x".repeat((int) (i % 37)) + i);
      records.add(r);
    }
    ParquetTestFiles.write(f, SCHEMA, records, how);
    return f;
  }

  /** 1,000 records in one row group of 512-byte pages, so that slices begin inside pages. */
  private Path oneRowGroupOfSmallPages(String name) throws IOException {
    return file(
        name, 1000, new ParquetTestFiles.Writer(CompressionCodecName.SNAPPY, 64 << 20, 512, false));
  }

  private static ParquetSplits.PlannedFile planned(Path f) throws IOException {
    long size = Files.size(f);
    return ParquetSplits.PlannedFile.of(
        f.toString(), size, ParquetFiles.footer(f.toString(), size));
  }

  @Test
  void splits_holdEveryRowGroupOnce_inOrder_noneEmpty() {
    ParquetSplits.PlannedFile a =
        new ParquetSplits.PlannedFile(
            "a", 1000, List.of(10L, 20L, 30L, 40L, 50L), List.of(100L, 300L, 50L, 600L, 10L));
    ParquetSplits.PlannedFile empty = new ParquetSplits.PlannedFile("e", 12, List.of(), List.of());
    ParquetSplits.PlannedFile b = new ParquetSplits.PlannedFile("b", 99, List.of(7L), List.of(5L));

    List<ParquetSplits.Split> splits = ParquetSplits.splits(List.of(a, empty, b), 400);

    assertThat(
        splits,
        equalTo(
            List.of(
                new ParquetSplits.Split("a", 1000, 5, 0, 2, 30), // 100 + 300 bytes
                new ParquetSplits.Split("a", 1000, 5, 2, 3, 30), // 50, and 600 would pass 400
                new ParquetSplits.Split("a", 1000, 5, 3, 4, 40), // over the size on its own
                new ParquetSplits.Split("a", 1000, 5, 4, 5, 50),
                new ParquetSplits.Split("b", 99, 1, 0, 1, 7))));
  }

  @Test
  void read_filesOfManyRowGroups_inTinySplits_everyRowOnce_andCounted() throws IOException {
    Path a = file("a.parquet", 3000);
    Path b = file("b.parquet", 11);
    List<ParquetSplits.PlannedFile> files = List.of(planned(a), planned(b));
    assertThat(files.get(0).rows().size(), greaterThan(3));
    long rows = files.stream().flatMap(f -> f.rows().stream()).mapToLong(Long::longValue).sum();
    assertThat(rows, is(3011L));
    assertThat(ParquetSplits.splits(files, 1).size(), greaterThan(4));

    assertReadsEveryRowOnce_andCountsThem(ParquetSplits.read(files, SCHEMA, 1, 1), 3000, 11);
  }

  @Test
  void read_fileReplacedAfterPlanning_failsNamingIt() throws IOException {
    Path a = file("a.parquet", 500);
    List<ParquetSplits.PlannedFile> files = List.of(planned(a));
    file("a.parquet", 700); // another file under the same name, after the plan

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(ParquetSplits.read(files, SCHEMA));

    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    assertThat(rootMessage(e), containsString(a.toString()));
    assertThat(rootMessage(e), containsString("changed after the job was planned"));
  }

  @ParameterizedTest(name = "old list structure: {0}")
  @ValueSource(booleans = {false, true})
  void read_slicesOfNestedRecords_listsAndNulls_everyRecordAsParquetAvroReadsIt(boolean oldLists)
      throws IOException {
    // The sample customers: a record, a list of 0 to 3 records, nullable fields; their pages begin
    // at record boundaries, as the page index requires, wherever a slice begins.
    List<GenericRecord> records = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      records.add(SampleData.toAvro(SampleData.customer("c", i), (field, pt, ctx) -> pt));
    }
    Path f = dir.resolve("customers.parquet");
    ParquetTestFiles.write(
        f,
        SampleData.SCHEMA,
        records,
        new ParquetTestFiles.Writer(CompressionCodecName.SNAPPY, 64 << 20, 512, oldLists));
    ParquetSplits.PlannedFile file = planned(f);
    assertThat(file.rows(), is(List.of(600L)));
    assertThat(
        ParquetSplits.ReadSplitFn.hasPageIndexes(
            ParquetFiles.footer(f.toString(), Files.size(f)).getBlocks().get(0)),
        is(true));

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> read =
        p.apply(ParquetSplits.read(List.of(file), SampleData.SCHEMA, 1 << 30, 5))
            .apply(MapElements.into(TypeDescriptors.strings()).via(GenericRecord::toString));
    PAssert.that(read)
        .containsInAnyOrder(
            ParquetTestFiles.read(f).stream().map(GenericRecord::toString).toList());
    p.run().waitUntilFinish();
  }

  @Test
  void spread_fewerSplitsThanSubtasks_cutsEachRowGroupIntoConsecutiveSlices_everyRowOnce() {
    ParquetSplits.PlannedFile a =
        new ParquetSplits.PlannedFile("a", 1000, List.of(10L, 3L), List.of(900L, 50L));
    ParquetSplits.PlannedFile b = new ParquetSplits.PlannedFile("b", 99, List.of(7L), List.of(5L));
    List<ParquetSplits.PlannedFile> files = List.of(a, b);
    List<ParquetSplits.Split> whole = ParquetSplits.splits(files, 1 << 20); // one split a file

    assertThat(ParquetSplits.spread(files, whole, 2), is(whole));
    assertThat(
        ParquetSplits.spread(files, whole, 7), // 3 row groups: 3 slices each where rows allow
        equalTo(
            List.of(
                new ParquetSplits.Split("a", 1000, 2, 0, 1, 10, 0, 3),
                new ParquetSplits.Split("a", 1000, 2, 0, 1, 10, 3, 3),
                new ParquetSplits.Split("a", 1000, 2, 0, 1, 10, 6, 4),
                new ParquetSplits.Split("a", 1000, 2, 1, 2, 3, 0, 1),
                new ParquetSplits.Split("a", 1000, 2, 1, 2, 3, 1, 1),
                new ParquetSplits.Split("a", 1000, 2, 1, 2, 3, 2, 1),
                new ParquetSplits.Split("b", 99, 1, 0, 1, 7, 0, 2),
                new ParquetSplits.Split("b", 99, 1, 0, 1, 7, 2, 2),
                new ParquetSplits.Split("b", 99, 1, 0, 1, 7, 4, 3))));
    ParquetSplits.PlannedFile two = new ParquetSplits.PlannedFile("t", 9, List.of(2L), List.of(9L));
    assertThat( // never an empty slice
        ParquetSplits.spread(List.of(two), ParquetSplits.splits(List.of(two), 1), 5),
        equalTo(
            List.of(
                new ParquetSplits.Split("t", 9, 1, 0, 1, 2, 0, 1),
                new ParquetSplits.Split("t", 9, 1, 0, 1, 2, 1, 1))));
  }

  @Test
  void read_rowGroupsCutIntoSlices_everyRowOnce_andCounted() throws IOException {
    Path one = oneRowGroupOfSmallPages("one.parquet");
    Path many = file("many.parquet", 3000);
    List<ParquetSplits.PlannedFile> files = List.of(planned(one), planned(many));
    assertThat(files.get(0).rows(), is(List.of(1000L)));
    int groups = files.get(0).rowGroups() + files.get(1).rowGroups();
    int subtasks = 2 * groups + 1; // three slices a row group
    assertThat(
        ParquetSplits.spread(files, ParquetSplits.splits(files, 1 << 30), subtasks).size(),
        is(3 * groups));

    assertReadsEveryRowOnce_andCountsThem(
        ParquetSplits.read(files, SCHEMA, 1 << 30, subtasks), 1000, 3000);
  }

  @Test
  void read_slicesOfAFileWithoutPageIndexes_passOverTheRowsBefore_everyRowOnce_andCounted()
      throws IOException {
    Path indexed = oneRowGroupOfSmallPages("indexed.parquet");
    Path bare = dir.resolve("bare.parquet");
    ParquetTestFiles.withoutPageIndexes(indexed, bare);
    ParquetSplits.PlannedFile file = planned(bare);
    BlockMetaData group = ParquetFiles.footer(bare.toString(), Files.size(bare)).getBlocks().get(0);
    assertThat(file.rows(), is(List.of(1000L)));
    assertThat(ParquetSplits.ReadSplitFn.hasPageIndexes(group), is(false));
    assertThat(
        ParquetSplits.ReadSplitFn.hasPageIndexes(
            ParquetFiles.footer(indexed.toString(), Files.size(indexed)).getBlocks().get(0)),
        is(true));

    assertReadsEveryRowOnce_andCountsThem(
        ParquetSplits.read(List.of(file), SCHEMA, 1 << 30, 3), 1000);
  }

  @Test
  void rows_theRangeOfASlice() {
    RowRanges r = ParquetSplits.ReadSplitFn.rows(1000, 333, 334);
    assertThat(r.rowCount(), is(334L));
    assertThat(r.getRanges().toString(), is("[[333, 666]]"));
    assertThat(r.isOverlapping(0, 332), is(false));
    assertThat(r.isOverlapping(667, 999), is(false));
  }

  @Test
  void read_aSliceOfARowGroupThatNoLongerHoldsThePlannedRows_failsNamingTheFile()
      throws IOException {
    Path one = oneRowGroupOfSmallPages("one.parquet");
    ParquetSplits.PlannedFile real = planned(one);
    ParquetSplits.PlannedFile planned = // as if the footer had said 999 rows
        new ParquetSplits.PlannedFile(real.path(), real.sizeBytes(), List.of(999L), real.bytes());

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(ParquetSplits.read(List.of(planned), SCHEMA, 1 << 30, 2));

    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());
    assertThat(rootMessage(e), containsString(one.toString()));
    assertThat(rootMessage(e), containsString("holds 1000 rows, the footer said 999"));
  }

  @Test
  void subtasks_theFlinkParallelism_orOneOnOtherRunners() {
    PipelineOptions flink = PipelineOptionsFactory.create();
    flink.setRunner(FlinkRunner.class);
    flink.as(FlinkPipelineOptions.class).setParallelism(3);
    assertThat(ParquetSplits.subtasks(flink), is(3));
    flink.as(FlinkPipelineOptions.class).setParallelism(-1); // unset: the cores
    assertThat(ParquetSplits.subtasks(flink), is(Runtime.getRuntime().availableProcessors()));

    PipelineOptions direct = PipelineOptionsFactory.create(); // the Direct runner
    assertThat(ParquetSplits.subtasks(direct), is(1));
  }

  /** Runs {@code read} over files of {@code rows} rows each: every row once, and counted. */
  private static void assertReadsEveryRowOnce_andCountsThem(ParquetSplits read, int... rows) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> keys =
        p.apply(read.withRecordsCounter("test", "read"))
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(r -> r.get("id") + "/" + r.get("pad")));
    List<String> expected = new ArrayList<>();
    for (int n : rows) {
      LongStream.range(0, n).forEach(i -> expected.add(i + "/" + "x".repeat((int) (i % 37)) + i));
    }
    PAssert.that(keys).containsInAnyOrder(expected);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    assertThat(counted(result), is((long) expected.size()));
  }

  private static long counted(PipelineResult result) {
    long counted = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("test", "read"))
                    .build())
            .getCounters()) {
      counted += c.getAttempted();
    }
    return counted;
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
