package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading Avro files in byte-range splits: every record exactly once, whatever the cuts. */
class AvroSplitsTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredString("pad").endRecord();

  @TempDir Path dir;

  /** A file of {@code n} records in many small blocks (a sync marker every few hundred bytes). */
  private Path file(String name, int n) throws IOException {
    Path f = dir.resolve(name);
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SCHEMA))) {
      w.setSyncInterval(256);
      w.create(SCHEMA, f.toFile());
      for (long i = 0; i < n; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", i);
        r.put("pad", "x".repeat((int) (i % 37)));
        w.append(r);
      }
    }
    return f;
  }

  private static AvroSplits.InputFile input(Path f) throws IOException {
    return new AvroSplits.InputFile(f.toString(), Files.size(f));
  }

  @Test
  void splits_coverEveryByteOfEveryFile_withoutOverlap() throws IOException {
    Path a = file("a.avro", 500);
    Path b = file("b.avro", 7);
    List<AvroSplits.Split> splits = AvroSplits.splits(List.of(input(a), input(b)), 1000);
    long covered = 0;
    String last = null;
    long end = 0;
    for (AvroSplits.Split s : splits) {
      if (!s.path().equals(last)) {
        assertThat(s.start(), equalTo(0L));
        last = s.path();
      } else {
        assertThat(s.start(), equalTo(end));
      }
      end = s.end();
      covered += s.end() - s.start();
    }
    assertThat(covered, equalTo(Files.size(a) + Files.size(b)));
    assertThat(splits.size(), greaterThan(2));
  }

  @ParameterizedTest
  @ValueSource(longs = {37, 97, 1000, 4096})
  void read_smallSplits_readsEveryRecordExactlyOnce(long splitBytes) throws IOException {
    Path a = file("a.avro", 3000);
    Path b = file("b.avro", 41);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    // Splits down to far smaller than the header and a block: most hold no sync marker, and
    // blocks and the header cross the cuts.
    PCollection<Long> ids =
        p.apply(AvroSplits.read(List.of(input(a), input(b)), SCHEMA, splitBytes))
            .apply(
                MapElements.into(TypeDescriptors.longs())
                    .via(
                        r -> (Long) r.get("id") + (r.get("pad").toString().length() >= 0 ? 0 : 1)));
    List<Long> expected = new ArrayList<>();
    LongStream.range(0, 3000).forEach(expected::add);
    LongStream.range(0, 41).forEach(expected::add);
    PAssert.that(ids).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  void read_oneSplitPerFile_readsEverything() throws IOException {
    Path a = file("a.avro", 250);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PCollection<Long> count =
        p.apply(AvroSplits.read(List.of(input(a)), SCHEMA, Long.MAX_VALUE / 4))
            .apply(org.apache.beam.sdk.transforms.Count.globally());
    PAssert.that(count).containsInAnyOrder(250L);
    p.run().waitUntilFinish();
  }

  @Test
  void withRecordsCounter_countsEveryRecordReadOnce() throws IOException {
    Path a = file("a.avro", 3000);
    Path b = file("b.avro", 41);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(
        AvroSplits.read(List.of(input(a), input(b)), SCHEMA, 97)
            .withRecordsCounter("test", "recordsRead"));

    PipelineResult result = p.run();
    result.waitUntilFinish();

    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("test", "recordsRead"))
                    .build());
    long counted = 0;
    for (MetricResult<Long> c : metrics.getCounters()) {
      counted += c.getAttempted();
    }
    assertThat(counted, equalTo(3041L));
  }

  @Test
  void read_aFileCutInsideABlock_failsTheJob_namingTheFileAndOffsets() throws IOException {
    Path whole = file("whole.avro", 3000);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.avro");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 30));
    String expected =
        org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> AvroContainer.checkWhole(cut.toString(), Files.size(cut)))
            .getMessage();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(AvroSplits.read(List.of(input(cut)), SCHEMA, 1000));

    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class, () -> p.run().waitUntilFinish());

    assertThat(rootMessage(e), equalTo(expected));
    assertThat(expected, org.hamcrest.Matchers.startsWith(cut + " is truncated: it ends at byte "));
  }

  @Test
  void read_aFileChangedAfterPlanning_failsTheJob_namingIt() throws IOException {
    Path f = file("a.avro", 300);
    AvroSplits.InputFile planned = input(f);
    Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), (int) planned.sizeBytes() - 7));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply(AvroSplits.read(List.of(planned), SCHEMA, 1000));

    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            Exception.class, () -> p.run().waitUntilFinish());

    assertThat(
        rootMessage(e),
        equalTo(
            f
                + " changed after the job was planned: "
                + planned.sizeBytes()
                + " bytes then, "
                + (planned.sizeBytes() - 7)
                + " now"));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Test
  void read_noFiles_isRejected() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> AvroSplits.read(List.of(), SCHEMA));
  }

  @Test
  void splits_ofOneFile_areInOrder() throws IOException {
    Path a = file("a.avro", 100);
    List<AvroSplits.Split> splits = AvroSplits.splits(List.of(input(a)), 500);
    assertThat(
        splits.stream().map(AvroSplits.Split::start).toList().subList(0, 2), contains(0L, 500L));
  }
}
