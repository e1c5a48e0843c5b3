package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.qkms.pipeline.testing.JobRun;
import io.qkms.pipeline.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An Avro input cut off inside a block (a copy that stopped short): the job refuses it before it
 * starts, naming the file and the offsets, whatever the options; Avro's own reader would read it
 * silently up to its last whole block.
 */
class TruncatedAvroInputTest {
  @TempDir static Path dir;
  static Samples samples;
  static Path cut;
  static long cutAt;
  static long lastBlockStart;

  @BeforeAll
  static void cutACopyOfTheSamples() throws IOException {
    samples = Samples.made(dir.resolve("samples"));
    Path whole = samples.data("customers.avro");
    byte[] bytes = Files.readAllBytes(whole);
    // Where blocks start, by Avro's own reader: the header's end, then the end of each block.
    java.util.TreeSet<Long> starts = new java.util.TreeSet<>();
    try (DataFileReader<GenericRecord> r =
        new DataFileReader<>(whole.toFile(), new GenericDatumReader<>())) {
      starts.add(r.previousSync());
      while (r.hasNext()) {
        r.next();
        starts.add(r.previousSync());
      }
    }
    starts.remove((long) bytes.length); // the last block's end
    lastBlockStart = starts.last();
    assertThat(lastBlockStart < bytes.length - 100, is(true)); // the cut below falls in it
    cutAt = bytes.length - 100;
    Path in = Files.createDirectories(dir.resolve("in"));
    cut = in.resolve("customers.avro");
    Files.write(cut, Arrays.copyOf(bytes, (int) cutAt));
  }

  static JobRun run(Path output, String... more) {
    List<String> args = new ArrayList<>(List.of("--input=" + cut, "--output=" + output));
    args.addAll(samples.reKeyArgs(Samples.FIELDS));
    args.add("--runner=DirectRunner");
    args.addAll(List.of(more));
    return JobRun.of(args);
  }

  static String expectedLine() {
    return "rekey: --input: "
        + cut
        + " is truncated: it ends at byte "
        + cutAt
        + ", inside the Avro block that starts at byte "
        + lastBlockStart
        + " (the blocks before it are whole); copy the whole file again, or leave it out";
  }

  @ParameterizedTest
  @ValueSource(strings = {"--checkCommitted=true", "--checkCommitted=false"})
  void aTruncatedInput_isRefusedBeforeTheJobStarts_namingTheFileAndOffsets(String check) {
    Path output = dir.resolve("out" + check.length());
    JobRun r = run(output, check);

    assertThat(r.err(), r.exitCode(), is(ReKeyJob.EXIT_USAGE));
    assertThat(r.err().lines().findFirst().orElse(""), equalTo(expectedLine()));
    assertThat(r.err(), not(containsString("Exception")));
    assertThat(Files.exists(output), is(false));
  }
}
