package io.qkms.pipeline.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.testing.ParquetTestFiles;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading Parquet files in splits of whole row groups: every row exactly once, whatever the cuts.
 */
class ParquetSplitsTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredString("pad").endRecord();

  @TempDir Path dir;

  /** A file of {@code n} records in row groups of a few KiB (written by parquet-avro). */
  private Path file(String name, int n) throws IOException {
    Path f = dir.resolve(name);
    List<GenericRecord> records = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      GenericData.Record r = new GenericData.Record(SCHEMA);
      r.put("id", i);
      r.put("pad", "x".repeat((int) (i % 37)) + i);
      records.add(r);
    }
    ParquetTestFiles.write(f, SCHEMA, records, ParquetTestFiles.Writer.smallRowGroups());
    return f;
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

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> keys =
        p.apply(ParquetSplits.read(files, SCHEMA, 1).withRecordsCounter("test", "read"))
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(r -> r.get("id") + "/" + r.get("pad")));
    List<String> expected = new ArrayList<>();
    for (int n : new int[] {3000, 11}) {
      LongStream.range(0, n).forEach(i -> expected.add(i + "/" + "x".repeat((int) (i % 37)) + i));
    }
    PAssert.that(keys).containsInAnyOrder(expected);
    PipelineResult result = p.run();
    result.waitUntilFinish();

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
    assertThat(counted, is(3011L));
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

  @Test
  void redistributes_onFlinkOnly_whenFewerSplitsThanSubtasks() {
    PipelineOptions flink = PipelineOptionsFactory.create();
    flink.setRunner(FlinkRunner.class);
    flink.as(FlinkPipelineOptions.class).setParallelism(2);
    assertThat(ParquetSplits.redistributes(1, flink), is(true));
    assertThat(ParquetSplits.redistributes(2, flink), is(false));
    assertThat(ParquetSplits.redistributes(40, flink), is(false));

    PipelineOptions direct = PipelineOptionsFactory.create(); // the Direct runner
    assertThat(ParquetSplits.redistributes(1, direct), is(false));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
