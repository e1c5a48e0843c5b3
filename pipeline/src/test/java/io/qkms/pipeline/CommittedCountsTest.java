package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.formats.Formats;
import io.qkms.pipeline.read.AvroSplits;
import io.qkms.pipeline.read.TextLines;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommittedCountsTest {
  static final Schema SCHEMA =
      SchemaBuilder.record("R").fields().requiredLong("id").requiredString("s").endRecord();

  @TempDir Path dir;

  Path avro(String name, int records, CodecFactory codec) throws IOException {
    Path file = dir.resolve(name);
    try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(SCHEMA))) {
      w.setCodec(codec);
      w.setSyncInterval(64); // many small blocks
      w.create(SCHEMA, file.toFile());
      for (int i = 0; i < records; i++) {
        GenericData.Record r = new GenericData.Record(SCHEMA);
        r.put("id", (long) i);
        r.put("s", "value-" + i);
        w.append(r);
      }
    }
    return file;
  }

  static long lines(String text) throws IOException {
    return TextLines.countLines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void avroRecords_addUpTheBlockCounts_ofACompressedFileOfManyBlocks() throws IOException {
    Path file = avro("many.avro", 1_000, CodecFactory.snappyCodec());

    assertThat(CommittedCounts.records(file.toString(), Formats.AVRO.counter()), is(1_000L));
  }

  @Test
  void avroRecords_ofAFileWithNoRecords_isZero() throws IOException {
    Path file = avro("empty.avro", 0, CodecFactory.nullCodec());

    assertThat(CommittedCounts.records(file.toString(), Formats.AVRO.counter()), is(0L));
  }

  @Test
  void records_addUpEveryFileThePatternMatches() throws IOException {
    avro("part-00000-of-00002.avro", 7, CodecFactory.deflateCodec(1));
    avro("part-00001-of-00002.avro", 5, CodecFactory.nullCodec());

    assertThat(
        CommittedCounts.records(dir.resolve("part-*.avro").toString(), Formats.AVRO.counter()),
        is(12L));
  }

  @Test
  void records_ofAPatternMatchingNothing_isZero() throws IOException {
    assertThat(
        CommittedCounts.records(
            dir.resolve("part-*.jsonl").toString(), Formats.JSON_LINES.counter()),
        is(0L));
  }

  @Test
  void lines_endAtNewlinesOnly_andAfterTheLastText() throws IOException {
    assertThat(lines(""), is(0L));
    assertThat(lines("a"), is(1L));
    assertThat(lines("a\n"), is(1L));
    assertThat(lines("a\nb"), is(2L));
    assertThat(lines("a\r\nb\r\n"), is(2L));
    assertThat(lines("a\rb\r"), is(1L)); // a lone \r ends no line
    assertThat(lines("\n\n"), is(2L));
    assertThat(lines("a\n\r\nb"), is(3L));
    assertThat(lines("\uFEFF"), is(0L)); // a byte-order mark alone
    assertThat(lines("\uFEFF\n"), is(1L));
    assertThat(lines("\uFEFFa"), is(1L));
  }

  @Test
  void lines_aBreakAcrossTheReadBuffer_isOneBreak() throws IOException {
    String text = "x".repeat((1 << 16) - 1) + "\r\n" + "y";

    assertThat(lines(text), is(2L));
  }

  @Test
  void lines_ofAGzippedFile_areCountedDecompressed() throws IOException {
    Path file = dir.resolve("in.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n".getBytes(StandardCharsets.UTF_8));
    }

    assertThat(CommittedCounts.records(file.toString(), Formats.JSON_LINES.counter()), is(3L));
  }

  @Test
  void lines_agreeWithWhatTheJobsReaderReads() throws IOException {
    byte[] text =
        "\uFEFF{\"a\":1}\r\n\n{\"a\":2}\r{\"a\":3}\n\r\n{\"a\":\"\u00e9\"}\n{\"a\":4}"
            .getBytes(StandardCharsets.UTF_8);
    text[text.length - 3] = (byte) 0xE9; // not UTF-8
    Path file = dir.resolve("mixed.jsonl");
    Files.write(file, text);
    long counted = CommittedCounts.records(file.toString(), Formats.JSON_LINES.counter());

    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PAssert.thatSingleton(
            p.apply(
                    TextLines.read(
                            List.of(new AvroSplits.InputFile(file.toString(), Files.size(file))))
                        .withSplitBytes(5))
                .apply(Count.globally()))
        .isEqualTo(counted);
    p.run().waitUntilFinish();

    assertThat(counted, is(6L));
  }

  /** Why counting the records of the Avro file {@code file} fails. */
  static String avroCountFailure(Path file) {
    return assertThrows(
            IOException.class,
            () -> CommittedCounts.records(file.toString(), Formats.AVRO.counter()))
        .getMessage();
  }

  @Test
  void avroRecords_ofATruncatedFile_nameTheFileAndWhereItWasCut() throws IOException {
    Path whole = avro("whole.avro", 1_000, CodecFactory.nullCodec());
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("part-00000-of-00001.avro");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));

    assertThat(
        avroCountFailure(cut),
        startsWith(
            cut
                + " is truncated: it ends at byte "
                + (bytes.length - 100)
                + ", inside the Avro block that starts at byte "));
  }

  @Test
  void avroRecords_ofAFileThatIsNoAvro_nameTheFile() throws IOException {
    Path file = dir.resolve("part-00000-of-00001.avro");
    Files.writeString(file, "id,name\n1,x\n");

    assertThat(
        avroCountFailure(file),
        equalTo(
            file + " is not an Avro container file (it does not start with Avro's magic bytes)"));
  }
}
