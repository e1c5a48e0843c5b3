package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditTrailTest {
  private static final byte[] KEY = new byte[32];
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-06T15:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private static ObjectNode event(int i) {
    return AuditTrail.JSON.createObjectNode().put("eventName", "Encrypt").put("n", i);
  }

  /** Two files of 5 lines each (the first closed, with its digest), then 2 lines in a third. */
  private List<Path> writeTrail() throws IOException {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      for (int i = 0; i < 12; i++) {
        t.append(event(i));
        if (i == 4 || i == 9) {
          t.seal();
        }
      }
    }
    return AuditFiles.list(dir);
  }

  private AuditVerifier.Result verify() throws IOException {
    return AuditVerifier.verify(dir, KEY, null, null);
  }

  private static void rewriteLines(Path file, Consumer<List<String>> change) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    change.accept(lines);
    Files.writeString(file, String.join("\n", lines) + "\n");
  }

  @Test
  void anUntouchedTrailVerifies() throws IOException {
    List<Path> files = writeTrail();
    assertThat(files.size(), is(3));
    assertThat(Files.exists(dir.resolve(files.get(0).getFileName() + ".digest")), is(true));
    AuditVerifier.Result r = verify();
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is(12L));
  }

  @Test
  void aFileIsSyncedInTheBackgroundAsItGrows_andTheTrailStillVerifiesAcrossItsRotation()
      throws Exception {
    String pad = "x".repeat(1000);
    int lines = (int) (3 * AuditTrail.SYNC_AHEAD_BYTES / 1000);
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, 2 * AuditTrail.SYNC_AHEAD_BYTES)) {
      for (int i = 0; i < lines; i++) {
        t.append(event(i).put("pad", pad));
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (t.syncsAhead() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(t.syncsAhead(), greaterThan(0L));
    }
    assertThat(AuditFiles.list(dir).size(), greaterThan(1)); // rotated by size on the way
    AuditVerifier.Result r = verify();
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is((long) lines));
  }

  /**
   * A background sync that fails is reported by the next batch, which fails (the OS tells a failed
   * write-back once: the sync that closes the file might not see it again); the batch after it is
   * written. A sync of a device fails at once (EINVAL), which stands in for a failing disk.
   */
  @Test
  void aBackgroundSyncThatFails_failsTheNextBatch_andTheOneAfterIsWritten() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE);
        FileChannel device = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
      t.append(event(0));
      t.syncAhead(device, "audit-000001-20261206.jsonl");
      IOException failed = null;
      long deadline = System.nanoTime() + 10_000_000_000L;
      for (int i = 1; failed == null && System.nanoTime() < deadline; i++) {
        try {
          t.append(event(i)); // written while the sync has not failed yet
        } catch (IOException e) {
          failed = e;
        }
      }
      assertThat(failed, notNullValue());
      assertThat(
          failed.getMessage(),
          containsString("The audit file audit-000001-20261206.jsonl could not be synced"));
      t.append(event(-1));
    }
    AuditVerifier.Result r = verify();
    assertThat(r.problem(), nullValue());
  }

  @Test
  void aBackgroundSyncFailureNoBatchReported_failsTheTrailsClose() throws Exception {
    AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE);
    try (FileChannel device = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
      t.append(event(0));
      t.syncAhead(device, "audit-000001-20261206.jsonl");
      UncheckedIOException e = assertThrows(UncheckedIOException.class, t::close);
      assertThat(e.getMessage(), containsString("could not be synced"));
    }
  }

  @Test
  void daysWithoutFiles_checkNothing_andReportNoProblem() throws IOException {
    writeTrail();
    for (LocalDate[] range :
        new LocalDate[][] {
          {LocalDate.parse("2030-01-01"), null}, {null, LocalDate.parse("2000-01-01")}
        }) {
      AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, range[0], range[1]);
      assertThat(r.problem(), nullValue());
      assertThat(r.files(), is(0));
      assertThat(r.lines(), is(0L));
    }
  }

  @Test
  void anEditedLineIsNamed() throws IOException {
    Path second = writeTrail().get(1);
    rewriteLines(second, l -> l.set(2, l.get(2).replace("\"n\":7", "\"n\":70")));
    String problem = verify().problem();
    assertThat(problem, containsString(second.getFileName() + ":3: changed"));
  }

  @Test
  void aDeletedLineIsNamed() throws IOException {
    Path second = writeTrail().get(1);
    rewriteLines(second, l -> l.remove(1));
    assertThat(
        verify().problem(),
        containsString(second.getFileName() + ":2: 1 line(s) removed before this line"));
  }

  @Test
  void anInsertedLineIsNamed() throws IOException {
    Path second = writeTrail().get(1);
    rewriteLines(second, l -> l.add(2, l.get(1).replace("\"n\":6", "\"n\":99")));
    assertThat(verify().problem(), containsString(second.getFileName() + ":3: inserted"));
  }

  @Test
  void theLastLineEditedOrRemovedIsCaughtByTheHead() throws IOException {
    Path third = writeTrail().get(2);
    rewriteLines(third, l -> l.remove(1));
    assertThat(verify().problem(), containsString("the trail's last line is not the one last"));
  }

  @Test
  void anAlteredDigestIsNamed() throws IOException {
    Path first = writeTrail().get(0);
    Path digest = dir.resolve(first.getFileName() + ".digest");
    Files.writeString(digest, Files.readString(digest).replace("\"lines\":5", "\"lines\":4"));
    assertThat(verify().problem(), containsString("fails its HMAC check"));
  }

  @Test
  void aWrongKeyFailsTheDigests() throws IOException {
    writeTrail();
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(AuditVerifier.verify(dir, other, null, null).problem(), containsString("HMAC"));
  }

  @Test
  void filesRotateBySizeWithTheChainAcrossThem() throws IOException {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, 200)) {
      for (int i = 0; i < 20; i++) {
        t.append(event(i));
      }
    }
    assertThat(AuditFiles.list(dir).size() > 3, is(true));
    assertThat(verify().problem(), nullValue());
  }

  @Test
  void anotherProcessAndThreadsWritingAtOnceKeepOneChain() throws Exception {
    Process other =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AuditWriterMain.class.getName(),
                dir.toString(),
                "300")
            .redirectErrorStream(true)
            .start();
    List<Thread> threads = new ArrayList<>();
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, 4096)) {
      for (int k = 0; k < 2; k++) {
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < 150; i++) {
                    try {
                      t.append(event(i).put("writer", "server"));
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  }
                });
        th.start();
        threads.add(th);
      }
      for (Thread th : threads) {
        th.join();
      }
    }
    assertThat(other.waitFor(60, TimeUnit.SECONDS), is(true));
    assertThat(new String(other.getInputStream().readAllBytes()), other.exitValue(), equalTo(0));
    AuditVerifier.Result r = verify();
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is(600L));
    Set<Long> seqs = new HashSet<>();
    for (Path p : AuditFiles.list(dir)) {
      for (String line : Files.readAllLines(p)) {
        JsonNode n = AuditTrail.JSON.readTree(line);
        seqs.add(n.get("seq").asLong());
      }
    }
    assertThat(seqs.size(), is(600));
  }

  /** The other writer of the concurrency test: a separate JVM appending to the same trail. */
  public static final class AuditWriterMain {
    public static void main(String[] args) throws IOException {
      try (AuditTrail t = AuditTrail.open(Path.of(args[0]), KEY, CLOCK, 4096)) {
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
          t.append(event(i).put("writer", "cli"));
        }
      }
    }
  }
}
