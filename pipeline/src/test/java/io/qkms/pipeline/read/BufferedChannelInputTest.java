package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reader's buffered input: the file's bytes exactly, with few calls on the channel. */
class BufferedChannelInputTest {
  private static final int FILE_BYTES = 50_000;

  private Path file;
  private byte[] content;

  @BeforeEach
  @BeforeProperty
  void writeFile() throws IOException {
    file = Files.createTempFile("buffered-input", ".bin");
    content = new byte[FILE_BYTES];
    new Random(7).nextBytes(content);
    Files.write(file, content);
  }

  @AfterEach
  @AfterProperty
  void deleteFile() throws IOException {
    Files.deleteIfExists(file);
  }

  @Test
  void oneByteReads_areServedFromTheBuffer() throws IOException {
    CountingChannel channel = new CountingChannel(file);
    try (BufferedChannelInput in = new BufferedChannelInput(channel)) {
      byte[] one = new byte[1];
      for (int i = 0; i < 20_000; i++) {
        assertThat(in.read(one, 0, 1), equalTo(1));
        assertThat(one[0], equalTo(content[i]));
      }
      assertThat(in.tell(), equalTo(20_000L));
    }
    // 20,000 bytes in 8 KiB fills: 3 reads, not 20,000.
    assertThat(channel.reads, equalTo(3));
  }

  @Test
  void lengthAndPosition_areAskedOnlyWhenItOpens() throws IOException {
    CountingChannel channel = new CountingChannel(file);
    try (BufferedChannelInput in = new BufferedChannelInput(channel)) {
      byte[] one = new byte[1];
      for (int i = 0; i < 1000; i++) {
        assertThat(in.length(), equalTo((long) FILE_BYTES));
        in.read(one, 0, 1);
        in.tell();
      }
    }
    assertThat(channel.sizes, equalTo(1));
    assertThat(channel.positionQueries, equalTo(1));
  }

  @Test
  void largeReads_goStraightToTheChannel() throws IOException {
    CountingChannel channel = new CountingChannel(file);
    try (BufferedChannelInput in = new BufferedChannelInput(channel)) {
      byte[] block = new byte[40_000];
      int n = in.read(block, 0, block.length);
      assertThat(Arrays.copyOf(block, n), equalTo(Arrays.copyOf(content, n)));
    }
    assertThat(channel.reads, equalTo(1));
  }

  @Test
  void readAtTheEnd_isMinusOne() throws IOException {
    try (BufferedChannelInput in = new BufferedChannelInput(new CountingChannel(file))) {
      in.seek(FILE_BYTES - 1);
      byte[] b = new byte[BufferedChannelInput.BUFFER_BYTES];
      assertThat(in.read(b, 0, 10), equalTo(1));
      assertThat(b[0], equalTo(content[FILE_BYTES - 1]));
      assertThat(in.read(b, 0, 10), equalTo(-1));
      assertThat(in.read(b, 0, BufferedChannelInput.BUFFER_BYTES), equalTo(-1));
      assertThat(in.read(b, 0, 0), equalTo(0));
    }
  }

  /** Taken for the end of the file, an empty read would cut a split short, losing records. */
  @Test
  void channelReadingNothing_isAnError_notTheEnd() throws IOException {
    CountingChannel channel = new CountingChannel(file);
    try (BufferedChannelInput in = new BufferedChannelInput(channel)) {
      channel.readsNothing = true;
      byte[] b = new byte[BufferedChannelInput.BUFFER_BYTES];
      assertThrows(IOException.class, () -> in.read(b, 0, 1));
      assertThrows(IOException.class, () -> in.read(b, 0, b.length));
      assertThat(in.tell(), equalTo(0L));
    }
  }

  @Test
  void seek_negative_isRefused() throws IOException {
    try (BufferedChannelInput in = new BufferedChannelInput(new CountingChannel(file))) {
      assertThrows(IOException.class, () -> in.seek(-1));
    }
  }

  @Test
  void close_closesTheChannel() throws IOException {
    CountingChannel channel = new CountingChannel(file);
    new BufferedChannelInput(channel).close();
    assertThat(channel.closed, equalTo(true));
  }

  /** A seek to a position, then a read of a length. */
  record Step(int position, int length) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    return Arbitraries.integers()
        .between(0, FILE_BYTES + 10)
        .flatMap(
            p ->
                Arbitraries.oneOf(
                        Arbitraries.integers().between(1, 64),
                        Arbitraries.integers().between(1, 3 * BufferedChannelInput.BUFFER_BYTES))
                    .map(len -> new Step(p, len)))
        .list()
        .ofMaxSize(30);
  }

  /** Any mix of seeks (near, far, back, past the end) and reads returns the file's bytes. */
  @Property(tries = 200)
  void seeksAndReads_returnTheFilesBytes(@ForAll("steps") List<Step> steps) throws IOException {
    try (BufferedChannelInput in = new BufferedChannelInput(new CountingChannel(file))) {
      for (Step s : steps) {
        in.seek(s.position());
        assertThat(in.tell(), equalTo((long) s.position()));
        // Two reads in a row: the second starts where the first (perhaps short) one ended.
        for (int round = 0; round < 2; round++) {
          long at = in.tell();
          byte[] b = new byte[s.length()];
          int n = in.read(b, 0, b.length);
          if (at >= FILE_BYTES) {
            assertThat(n, equalTo(-1));
            break;
          }
          assertThat(n >= 1 && n <= s.length(), equalTo(true));
          assertThat(
              Arrays.copyOf(b, n), equalTo(Arrays.copyOfRange(content, (int) at, (int) at + n)));
          assertThat(in.tell(), equalTo(at + n));
        }
      }
    }
  }
}
