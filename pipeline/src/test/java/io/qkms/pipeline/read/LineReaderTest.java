package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lines of byte ranges: each line exactly once whatever the cuts, its bytes exactly. */
class LineReaderTest {
  private Path dir;

  @BeforeEach
  @BeforeProperty
  void createDir() throws IOException {
    dir = Files.createTempDirectory("line-reader");
  }

  @AfterEach
  @AfterProperty
  void deleteDir() throws IOException {
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  private Path write(byte[] content) throws IOException {
    Path f = Files.createTempFile(dir, "lines", ".jsonl");
    Files.write(f, content);
    return f;
  }

  /** The lines of {@code f} read as consecutive ranges of {@code rangeBytes}, as their bytes. */
  private static List<byte[]> readInRanges(Path f, long rangeBytes) throws IOException {
    long size = Files.size(f);
    List<byte[]> lines = new ArrayList<>();
    long start = 0;
    do {
      long end = Math.min(size, start + rangeBytes);
      try (LineReader r = LineReader.open(new CountingChannel(f), start, end)) {
        for (String l = r.next(); l != null; l = r.next()) {
          lines.add(LosslessUtf8.encode(l));
        }
      }
      start = end;
    } while (start < size);
    return lines;
  }

  /** What a line is, said the simple way: split at every \n; no last line if nothing follows. */
  private static List<byte[]> expectedLines(byte[] content) {
    int from =
        content.length >= 3
                && (content[0] & 0xFF) == 0xEF
                && (content[1] & 0xFF) == 0xBB
                && (content[2] & 0xFF) == 0xBF
            ? 3
            : 0;
    List<byte[]> lines = new ArrayList<>();
    int start = from;
    for (int i = from; i < content.length; i++) {
      if (content[i] == '\n') {
        lines.add(java.util.Arrays.copyOfRange(content, start, i));
        start = i + 1;
      }
    }
    if (start < content.length) {
      lines.add(java.util.Arrays.copyOfRange(content, start, content.length));
    }
    return lines;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> asText(List<byte[]> lines) {
    return lines.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
  }

  @Test
  void everyCut_readsTheSameLines_crAndInvalidUtf8Included() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(utf8("{\"a\":1}\r\n")); // CRLF: the \r stays
    b.writeBytes(utf8("\n")); // an empty line
    b.writeBytes(utf8("{\"a\":\"x\ry\"}\n")); // a lone \r ends nothing
    b.writeBytes(new byte[] {'{', '"', 'n', '"', ':', '"', 'J', 'o', 's', (byte) 0xE9, '"', '}'});
    b.writeBytes(utf8("\n\r\n{\"last\":\"no newline\"}"));
    byte[] content = b.toByteArray();
    Path f = write(content);
    List<String> expected =
        List.of(
            "{\"a\":1}\r",
            "",
            "{\"a\":\"x\ry\"}",
            "{\"n\":\"Jos\u00e9\"}",
            "\r",
            "{\"last\":\"no newline\"}");

    for (long range = 1; range <= content.length + 1; range++) {
      assertThat("range " + range, asText(readInRanges(f, range)), equalTo(expected));
    }
    assertThat(LineReader.count(new ByteArrayInputStream(content)), is(6L));
  }

  @Test
  void aCrLfCutBetweenItsTwoBytes_orJustAfter_isOneBreak() throws IOException {
    byte[] content = utf8("ab\r\ncd\r\nef\n");
    Path f = write(content);
    // Cut at 3 (between \r and \n) and 4 (just after the \n): "cd" starts at 4.
    for (long[] cuts : new long[][] {{0, 3, 11}, {0, 4, 11}, {0, 5, 11}}) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i + 1 < cuts.length; i++) {
        try (LineReader r = LineReader.open(new CountingChannel(f), cuts[i], cuts[i + 1])) {
          for (String l = r.next(); l != null; l = r.next()) {
            lines.add(l);
          }
        }
      }
      assertThat(lines, equalTo(List.of("ab\r", "cd\r", "ef")));
    }
  }

  @Test
  void aByteOrderMarkAtTheStart_isNoPartOfTheFirstLine() throws IOException {
    byte[] content = utf8("\uFEFF{\"a\":1}\n{\"b\":2}\n");
    Path f = write(content);

    for (long range = 1; range <= content.length; range++) {
      assertThat(asText(readInRanges(f, range)), equalTo(List.of("{\"a\":1}", "{\"b\":2}")));
    }
  }

  @Test
  void emptyAndNewlineOnlyFiles() throws IOException {
    assertThat(readInRanges(write(new byte[0]), 10).size(), is(0));
    assertThat(asText(readInRanges(write(utf8("\n")), 1)), equalTo(List.of("")));
    assertThat(readInRanges(write(utf8("\uFEFF")), 1).size(), is(0));
  }

  @Test
  void linesLongerThanTheBuffer_areReadWhole_acrossCuts() throws IOException {
    String longLine = "x".repeat(3 * LineReader.BUFFER_BYTES + 17);
    byte[] content = utf8("a\n" + longLine + "\r\nb\n" + longLine);
    Path f = write(content);

    for (long range : new long[] {1000, LineReader.BUFFER_BYTES, 1_000_000}) {
      assertThat(
          asText(readInRanges(f, range)), equalTo(List.of("a", longLine + "\r", "b", longLine)));
    }
  }

  @Test
  void aChannelThatReadsNothing_isAnError_notAnEnd() throws IOException {
    Path f = write(utf8("a\nb\n"));
    CountingChannel channel = new CountingChannel(f);
    channel.readsNothing = true;
    try (LineReader r = LineReader.open(channel, 0, 4)) {
      IOException e = assertThrows(IOException.class, r::next);
      assertThat(
          e.getMessage(), equalTo("The input channel read no bytes (a non-blocking channel?)"));
    }
  }

  @Test
  void wholeStream_readsEveryLine() throws IOException {
    byte[] content = utf8("\uFEFFa\r\nb\n\nc");
    try (LineReader r = LineReader.whole(Channels.newChannel(new ByteArrayInputStream(content)))) {
      List<String> lines = new ArrayList<>();
      for (String l = r.next(); l != null; l = r.next()) {
        lines.add(l);
      }
      assertThat(lines, equalTo(List.of("a\r", "b", "", "c")));
    }
  }

  @Property(tries = 300)
  void anyContent_anyCut_eachLineOnceAndExactly_andCountAgrees(
      @ForAll("lineBytes") byte[] content, @ForAll @IntRange(min = 1, max = 40) int range)
      throws IOException {
    Path f = write(content);
    List<byte[]> expected = expectedLines(content);

    assertThat(asText(readInRanges(f, range)), equalTo(asText(expected)));
    assertThat(LineReader.count(new ByteArrayInputStream(content)), is((long) expected.size()));
  }

  @Provide
  Arbitrary<byte[]> lineBytes() {
    return Arbitraries.of(
            (byte) 'a',
            (byte) '{',
            (byte) '\n',
            (byte) '\n',
            (byte) '\r',
            (byte) 0xE9,
            (byte) 0xEF,
            (byte) 0xBB,
            (byte) 0xBF,
            (byte) 0xC3,
            (byte) 0xA9)
        .array(byte[].class)
        .ofMaxSize(60);
  }
}
