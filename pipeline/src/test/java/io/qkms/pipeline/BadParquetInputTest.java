package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.ParquetTestFiles;
import io.qkms.pipeline.testing.Samples;
import io.qkms.samples.data.SampleData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet input the job cannot take is refused before anything runs (exit 2, one line naming the
 * file, nothing written): a file cut off (its footer is at the end, so nothing of it can be read),
 * a file that is not Parquet, files of two schemas, a field the schema does not have.
 */
class BadParquetInputTest {
  @TempDir static Path dir;
  static Samples samples;
  static Path whole;

  @BeforeAll
  static void makeTheSamples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    whole = samples.data("customers.parquet");
  }

  static JobRun run(Path input, Path output, String fields) {
    List<String> args = new ArrayList<>(List.of("--input=" + input, "--output=" + output));
    args.addAll(samples.reKeyArgs(fields));
    args.add("--runner=DirectRunner");
    return JobRun.of(args);
  }

  /**
   * Runs the job on {@code input} into {@code dir/output}, which must refuse it before writing
   * anything; returns the first line of the refusal.
   */
  static String refusalBeforeWriting(Path input, String output, String fields) {
    Path out = dir.resolve(output);
    JobRun r = run(input, out, fields);
    assertThat(r.err(), r.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(r.err(), not(containsString("Exception")));
    assertThat(r.err(), containsString("nothing was written"));
    assertThat(Files.exists(out), is(false));
    return r.firstLine();
  }

  @Test
  void aTruncatedFile_isRefused_namingTheFileAndWhereItEnds() throws IOException {
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.createDirectories(dir.resolve("cut")).resolve("customers.parquet");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
    assertThat(
        refusalBeforeWriting(cut, "out-cut", Samples.FIELDS),
        equalTo(
            "rekey: --input: "
                + cut
                + " is truncated: it ends at byte "
                + (bytes.length - 100)
                + " without the Parquet footer (a whole file ends with PAR1); copy the whole file"
                + " again, or leave it out"));
  }

  @Test
  void aFileThatIsNotParquet_isRefused_namingTheFile() throws IOException {
    Path fake = Files.createDirectories(dir.resolve("fake")).resolve("customers.parquet");
    Files.copy(samples.data("customers.jsonl"), fake);
    assertThat(
        refusalBeforeWriting(fake, "out-fake", Samples.FIELDS),
        equalTo(
            "rekey: --input: "
                + fake
                + " is not a Parquet file: it does not start with the Parquet magic number PAR1"));
  }

  @Test
  void filesOfTwoSchemas_areRefused_namingBoth() throws IOException {
    Path in = Files.createDirectories(dir.resolve("two"));
    Files.copy(whole, in.resolve("a.parquet"));
    Schema other =
        SchemaBuilder.record("Other").fields().requiredString("id").requiredBytes("x").endRecord();
    GenericData.Record r = new GenericData.Record(other);
    r.put("id", "x");
    r.put("x", java.nio.ByteBuffer.wrap(new byte[] {1}));
    ParquetTestFiles.write(
        in.resolve("b.parquet"),
        other,
        List.<GenericRecord>of(r),
        ParquetTestFiles.Writer.smallRowGroups());
    assertThat(
        refusalBeforeWriting(in.resolve("*.parquet"), "out-two", Samples.FIELDS),
        equalTo(
            "rekey: --input: "
                + in.resolve("b.parquet")
                + " has another schema than "
                + in.resolve("a.parquet")
                + "; a run reads files of one schema (run the others separately)"));
  }

  @Test
  void aFieldTheSchemaDoesNotHave_isRefused_namingIt() {
    String refusal = refusalBeforeWriting(whole, "out-field", "card.numbr");
    assertThat(refusal, containsString("card.numbr"));
    assertThat(refusal, containsString("has no field numbr"));
  }

  @Test
  void theSampleDataItself_isWhole() {
    assertThat(ParquetTestFiles.read(whole).size(), is(Samples.CUSTOMERS + 4));
    assertThat(SampleData.SCHEMA.getField("card"), not(equalTo(null)));
  }
}
