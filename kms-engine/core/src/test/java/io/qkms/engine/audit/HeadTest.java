package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head is rewritten in place at a fixed size (never truncated), and reads back as written. */
class HeadTest {
  private static final byte[] KEY = new byte[32];

  @TempDir Path dir;

  @Test
  void aHeadIsWrittenAtItsFixedSize_overAShorterOneOfTheEarlierFormat_andReadsBack()
      throws Exception {
    Path file = dir.resolve(AuditTrail.HEAD);
    Head old = new Head("audit-000001-20261206.jsonl", 7, "a".repeat(64));
    try (FileChannel c =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      // The earlier format: the JSON alone, exactly its length.
      String json =
          "{\"file\":\""
              + old.file()
              + "\",\"seq\":7,\"hash\":\""
              + old.hash()
              + "\",\"hmac\":\""
              + HexFormat.of().formatHex(old.mac(KEY))
              + "\"}";
      c.write(ByteBuffer.wrap(json.getBytes()));
      assertThat(Head.read(c, KEY), equalTo(old));
      Head next = new Head("audit-000002-20261207.jsonl", 8, "b".repeat(64));
      next.write(c, KEY);
      assertThat(c.size(), equalTo((long) Head.SIZE));
      assertThat(Head.read(c, KEY), equalTo(next));
      next.write(c, KEY);
      assertThat(Files.size(file), equalTo((long) Head.SIZE));
    }
  }
}
