package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.testing.ChildJvm;
import io.qkms.engine.testing.FileLockHolder;
import io.qkms.engine.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Group commit: concurrent appends are written in batches, as one chain, each line once; a failure
 * inside a batch fails every append of it; waits are bounded.
 */
class AuditTrailBatchTest {
  private static final byte[] KEY = new byte[32];
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-06T15:00:00Z"), ZoneOffset.UTC);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static ObjectNode event(String writer, int n) {
    return AuditTrail.JSON
        .createObjectNode()
        .put("eventName", "Encrypt")
        .put("writer", writer)
        .put("n", n);
  }

  /**
   * Each writer's lines appear once each, in the order the writer appended them (a writer appends n
   * = 0, 1, 2, ... one after the other).
   */
  private static void assertEachWriterOnceInOrder(
      List<JsonNode> lines, Map<String, Integer> counts) {
    Map<String, Integer> next = new HashMap<>();
    for (JsonNode n : lines) {
      String w = n.get("writer").asText();
      int expected = next.getOrDefault(w, 0);
      assertThat(w + " at seq " + n.get("seq"), n.get("n").asInt(), is(expected));
      next.put(w, expected + 1);
    }
    assertThat(next, equalTo(counts));
  }

  @ParameterizedTest(name = "{0} threads, {1} lines each, files of {2} bytes, batches of {3}")
  @CsvSource({
    "1, 200, 100000000, 256",
    "2, 150, 4096, 256",
    "8, 100, 2048, 256",
    "32, 40, 3000, 256",
    "32, 40, 3000, 5",
    "64, 20, 100000000, 1"
  })
  void concurrentAppends_formOneIntactChain_everyLineOnceInEachWritersOrder(
      int threads, int perThread, long maxFileBytes, int maxBatch) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, maxFileBytes, maxBatch, WAIT)) {
      List<Thread> started = new ArrayList<>();
      List<Throwable> failures = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        String writer = "w" + k;
        counts.put(writer, perThread);
        Thread th =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < perThread; i++) {
                      t.append(event(writer, i));
                    }
                  } catch (Throwable e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                  }
                });
        th.start();
        started.add(th);
      }
      for (Thread th : started) {
        th.join(TimeUnit.SECONDS.toMillis(60));
      }
      assertThat(failures.toString(), failures.isEmpty(), is(true));
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, null, null);
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is((long) threads * perThread));
    List<JsonNode> lines = TrailLines.of(dir);
    for (int i = 0; i < lines.size(); i++) {
      assertThat(lines.get(i).get("seq").asLong(), is(i + 1L));
    }
    assertEachWriterOnceInOrder(lines, counts);
  }

  /**
   * Starts one thread per event, each appending its event, while the test holds the directory's
   * lock, and lets the writer go once all of them are queued: they are written as one batch (as
   * long as there are no more than a batch's lines). Returns each append's failure (null: none).
   */
  private static Throwable[] asOneBatch(AuditTrail t, List<ObjectNode> events) throws Exception {
    Throwable[] outcome = new Throwable[events.size()];
    List<Thread> started = new ArrayList<>();
    ReentrantLock lock = AuditTrail.directoryLock(t.directory());
    lock.lock();
    try {
      for (int i = 0; i < events.size(); i++) {
        int k = i;
        Thread th =
            new Thread(
                () -> {
                  try {
                    t.append(events.get(k));
                  } catch (Throwable e) {
                    outcome[k] = e;
                  }
                });
        th.start();
        started.add(th);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (t.queued() < events.size()) {
        assertThat("all appends queued in time", System.nanoTime() < deadline, is(true));
        Thread.sleep(5);
      }
    } finally {
      lock.unlock();
    }
    for (Thread th : started) {
      th.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(th.isAlive(), is(false));
    }
    return outcome;
  }

  private static List<ObjectNode> events(String writer, int count) {
    List<ObjectNode> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(event(writer, i));
    }
    return out;
  }

  /** The size of one line of {@link #event} once chained (seq and prev put first). */
  private static int lineBytes(String writer, int n, long seq) throws IOException {
    return AuditTrail.JSON.writeValueAsBytes(event(writer, n)).length
        + ("{\"seq\":" + seq + ",\"prev\":\"" + AuditTrail.ZERO_HASH + "\",").length()
        - 1 // the event's own "{"
        + 1; // newline
  }

  @Test
  void aBatchThatFillsItsFile_closesItInsideTheBatch_andGoesOnInTheNext() throws Exception {
    // Files of 4 lines: a batch of 10 after 2 lines closes file 1 after its 2nd line and file 2
    // after its 6th.
    long maxFileBytes = 4L * lineBytes("b", 0, 1);
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, maxFileBytes, 256, WAIT)) {
      t.append(event("a", 0));
      t.append(event("a", 1));
      Throwable[] outcome = asOneBatch(t, events("b", 10));
      for (Throwable e : outcome) {
        assertThat(e, nullValue());
      }
    }
    List<Path> files = AuditFiles.list(dir);
    List<Integer> perFile = new ArrayList<>();
    for (Path p : files) {
      perFile.add(Files.readAllLines(p).size());
    }
    assertThat(perFile, equalTo(List.of(4, 4, 4)));
    assertClosedWithDigestsAndIntact(files, 12);
  }

  /** Every file but the last has its digest, and the trail verifies with {@code lines} lines. */
  private void assertClosedWithDigestsAndIntact(List<Path> files, long lines) throws IOException {
    for (Path closed : files.subList(0, files.size() - 1)) {
      assertThat(Files.exists(dir.resolve(closed.getFileName() + Digests.SUFFIX)), is(true));
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, null, null);
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is(lines));
  }

  @Test
  void twoWritersTakingTurnsInOneFile_closeItWithADigestOfAllItsLines() throws Exception {
    // Each trail has its own writer; the one that closes a file did not write all of it, so its
    // digest must come from the file, not from what that writer hashed as it wrote: when the file
    // fills, and when the day changes right after the other writer's line.
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
    long maxFileBytes = 5L * lineBytes("a", 0, 1);
    try (AuditTrail first = AuditTrail.open(dir, KEY, clock, maxFileBytes, 256, WAIT);
        AuditTrail second = AuditTrail.open(dir, KEY, clock, maxFileBytes, 256, WAIT)) {
      for (int i = 0; i < 12; i++) {
        (i % 3 == 2 ? second : first).append(event(i % 3 == 2 ? "b" : "a", i));
      }
      clock.set(Instant.parse("2026-12-07T00:00:01Z"));
      first.append(event("a", 12));
    }
    List<Path> files = AuditFiles.list(dir);
    assertThat(files.size() >= 4, is(true));
    assertClosedWithDigestsAndIntact(files, 13);
  }

  @Test
  void aFileFullAtTheEndOfABatch_isClosedByTheNextBatch() throws Exception {
    long maxFileBytes = 4L * lineBytes("b", 0, 1);
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, maxFileBytes, 256, WAIT)) {
      for (Throwable e : asOneBatch(t, events("b", 4))) {
        assertThat(e, nullValue());
      }
      assertThat(AuditFiles.list(dir).size(), is(1));
      for (Throwable e : asOneBatch(t, events("c", 3))) {
        assertThat(e, nullValue());
      }
    }
    List<Path> files = AuditFiles.list(dir);
    assertThat(files.size(), is(2));
    assertThat(Files.readAllLines(files.get(0)).size(), is(4));
    assertThat(Files.readAllLines(files.get(1)).size(), is(3));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aNewDayBetweenBatches_closesTheFileAndStartsTheDaysFile() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T23:59:59Z"));
    try (AuditTrail t = AuditTrail.open(dir, KEY, clock, Long.MAX_VALUE, 256, WAIT)) {
      asOneBatch(t, events("b", 3));
      clock.set(Instant.parse("2026-12-07T00:00:01Z"));
      asOneBatch(t, events("c", 3));
    }
    List<Path> files = AuditFiles.list(dir);
    assertThat(
        files.stream().map(p -> p.getFileName().toString()).toList(),
        equalTo(List.of("audit-000001-20261206.jsonl", "audit-000002-20261207.jsonl")));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aWriteThatFailsInsideABatch_failsEveryAppendOfIt_andTheTrailStaysIntact() throws Exception {
    // Files of 4 lines; the second file's name is taken by a directory, so the batch of 6 after 2
    // lines writes 2 lines into file 1, closes it, and fails to open file 2.
    long maxFileBytes = 4L * lineBytes("b", 0, 1);
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, maxFileBytes, 256, WAIT)) {
      t.append(event("a", 0));
      t.append(event("a", 1));
      Path blocker =
          dir.resolve(AuditFiles.name(2, CLOCK.instant().atZone(ZoneOffset.UTC).toLocalDate()));
      Files.createDirectory(blocker);
      Throwable[] outcome = asOneBatch(t, events("b", 6));
      assertThat(List.of(outcome), everyItem(instanceOf(IOException.class)));

      // Lines of the batch reached file 1 before the failure (their calls failed: the trail may
      // hold a line for a failed call, never miss one for a call that succeeded); none of the
      // lines meant for file 2 is anywhere.
      Files.delete(blocker);
      t.append(event("a", 2));
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, null, null);
    assertThat(r.problem(), nullValue());
    List<JsonNode> lines = TrailLines.of(dir);
    assertThat(lines.size(), is(5));
    assertThat(lines.get(4).get("writer").asText() + lines.get(4).get("n"), is("a2"));
    assertThat(Files.readAllLines(AuditFiles.list(dir).get(0)).size(), is(4));
  }

  @Test
  void aWriteThatFailsForTheWholeBatch_failsEveryAppend_andWritesNothing() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE, 256, WAIT)) {
      t.append(event("a", 0));
      Path current = AuditFiles.list(dir).get(0);
      byte[] before = Files.readAllBytes(current);
      Files.delete(current);
      Files.createDirectory(current); // the current file cannot be opened for appending
      Throwable[] outcome = asOneBatch(t, events("b", 8));
      assertThat(List.of(outcome), everyItem(instanceOf(IOException.class)));
      Files.delete(current);
      Files.write(current, before);
      t.append(event("a", 1));
    }
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
    assertThat(TrailLines.of(dir).size(), is(2));
  }

  @Test
  void aCallerThatCannotGetTheDirectoryInTime_failsAndItsLineIsNeverWritten() throws Exception {
    try (AuditTrail t =
        AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE, 256, Duration.ofMillis(300))) {
      t.append(event("a", 0));
      IOException e;
      try (DirectoryLockHolder held = DirectoryLockHolder.hold(dir)) {
        e = appendFailure(t, event("late", 0));
      }
      assertThat(e.getMessage(), containsString("was not written"));
      t.append(event("a", 1));
    }
    List<JsonNode> lines = TrailLines.of(dir);
    assertThat(lines.size(), is(2));
    assertThat(lines.get(1).get("n").asInt(), is(1));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void anotherProcessHoldingTheLock_boundsTheWait_andWritingGoesOnOnceItLetsGo() throws Exception {
    try (AuditTrail t =
        AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE, 256, Duration.ofMillis(500))) {
      t.append(event("a", 0));
      try (ChildJvm holder =
          ChildJvm.start(FileLockHolder.class, dir.resolve(AuditTrail.HEAD).toString())) {
        holder.awaitLine("locked", Duration.ofSeconds(30));
        IOException e = appendFailure(t, event("late", 0));
        assertThat(e.getMessage(), containsString("another process held the lock"));
        holder.kill(); // its lock goes with it
      }
      t.append(event("a", 1));
    }
    assertThat(TrailLines.of(dir).size(), is(2));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aMissingDirectory_failsTheBatchAtOnce_notAfterTheWait() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE, 256, WAIT)) {
      t.append(event("a", 0));
      for (Path p : Files.list(dir).toList()) {
        Files.delete(p);
      }
      Files.delete(dir);
      Throwable[] outcome = asOneBatch(t, events("b", 4));
      for (Throwable e : outcome) {
        assertThat(e, instanceOf(IOException.class));
        assertThat(e.getMessage(), containsString("is missing"));
      }
      Files.createDirectory(dir);
    }
  }

  @Test
  void anEventCarryingSeqOrPrev_isRefused() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      for (String field : List.of("seq", "prev")) {
        ObjectNode e = event("a", 0).put(field, "1");
        IllegalArgumentException x = null;
        try {
          t.append(e);
        } catch (IllegalArgumentException ex) {
          x = ex;
        }
        assertThat(field, x != null, is(true));
      }
      t.append(AuditTrail.JSON.createObjectNode()); // an empty event still makes a JSON line
    }
    List<JsonNode> lines = TrailLines.of(dir);
    assertThat(lines.size(), is(1));
    assertThat(lines.get(0).size(), is(2));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aLoneAppend_isWrittenBeforeItReturns() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      for (int i = 0; i < 3; i++) {
        t.append(event("a", i));
        assertThat(TrailLines.of(dir).size(), is(i + 1));
        assertThat(Files.size(dir.resolve(AuditTrail.HEAD)), greaterThan(0L));
      }
    }
  }

  private static IOException appendFailure(AuditTrail t, ObjectNode event) {
    try {
      t.append(event);
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("the append should have failed");
  }
}
