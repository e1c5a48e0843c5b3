package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines read and written through Beam byte for byte, on the Direct runner (which encodes each). */
class TextLinesTest {
  @TempDir Path dir;

  static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
  }

  static AvroSplits.InputFile input(Path f) throws IOException {
    return new AvroSplits.InputFile(f.toString(), Files.size(f));
  }

  /** Lines with what TextIO changed or split: a byte that is not UTF-8, CRLF, a lone CR. */
  static byte[] hostileLines() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("{\"n\":\"Jos".getBytes(StandardCharsets.US_ASCII));
    b.write(0xE9);
    b.writeBytes(
        "\"}\n{\"a\":1}\r\n{\"a\":\"x\ry\"}\n\n{\"e\":\"\u00e9\ud83d\ude00\"}"
            .getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  /** The part files in {@code out}, concatenated, split into lines (sorted: shards vary). */
  static List<String> writtenLines(Path out) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> s = Files.list(out)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        byte[] bytes = Files.readAllBytes(p);
        assertThat(bytes.length == 0 || bytes[bytes.length - 1] == '\n', is(true));
        String text = new String(bytes, StandardCharsets.ISO_8859_1); // a char a byte
        if (!text.isEmpty()) {
          lines.addAll(List.of(text.substring(0, text.length() - 1).split("\n", -1)));
        }
      }
    }
    return lines.stream().sorted().toList();
  }

  @Test
  void readThenWrite_writesEveryLineByteForByte_whateverTheSplits() throws IOException {
    byte[] content = hostileLines();
    Path in = dir.resolve("in.jsonl");
    Files.write(in, content);
    Path out = dir.resolve("out");
    Pipeline p = pipeline();
    p.apply(TextLines.read(List.of(input(in))).withSplitBytes(3))
        .apply(TextLines.write(out.resolve("part").toString(), ".jsonl"));
    p.run().waitUntilFinish();

    List<String> expected =
        new ArrayList<>(
            List.of(
                "{\"n\":\"Jos\u00e9\"}",
                "{\"a\":1}\r",
                "{\"a\":\"x\ry\"}",
                "",
                new String(
                    "{\"e\":\"\u00e9\ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1)));
    assertThat(writtenLines(out), equalTo(expected.stream().sorted().toList()));
    try (Stream<Path> s = Files.list(out)) {
      assertThat(
          s.map(f -> f.getFileName().toString())
              .allMatch(n -> n.matches("part-\\d{5}-of-\\d{5}\\.jsonl")),
          is(true));
    }
  }

  @Test
  void read_ofManyFiles_compressedToo_readsEveryLineOnce() throws IOException {
    Path a = dir.resolve("a.jsonl");
    Path b = dir.resolve("b.jsonl.gz");
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      text.append("{\"i\":").append(i).append("}\r\n");
      expected.add("{\"i\":" + i + "}\r");
    }
    Files.writeString(a, text, StandardCharsets.UTF_8);
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(b))) {
      gz.write("{\"z\":1}\n{\"z\":2}".getBytes(StandardCharsets.UTF_8));
    }
    expected.add("{\"z\":1}");
    expected.add("{\"z\":2}");
    assertThat(TextLines.splits(List.of(input(a), input(b)), 100).size(), greaterThan(20));

    Pipeline p = pipeline();
    PCollection<String> lines =
        p.apply(TextLines.read(List.of(input(a), input(b))).withSplitBytes(100));
    PAssert.that(lines).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  void aFileChangedAfterPlanning_failsTheRead_namingIt() throws IOException {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"a\":1}\n{\"a\":2}\n");
    AvroSplits.InputFile planned = input(in);
    Files.writeString(in, "{\"a\":1}\n");

    Pipeline p = pipeline();
    p.apply(TextLines.read(List.of(planned)));
    Exception e = assertThrows(Exception.class, () -> p.run().waitUntilFinish());

    assertThat(
        rootMessage(e), equalTo(in + " changed after the job was planned: 16 bytes then, 8 now"));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
