package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Appends that do not wait: the callback runs once, after the line is written (or with the reason
 * it was not), and the trail's guarantees are those of the waiting append.
 */
class AuditTrailCallbackTest {
  private static final byte[] KEY = new byte[32];
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-06T15:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  private static ObjectNode event(int n) {
    return AuditTrail.JSON.createObjectNode().put("eventName", "Encrypt").put("n", n);
  }

  /** Appends without waiting; the future completes with the callback's argument (or "ok"). */
  private static CompletableFuture<Object> append(AuditTrail t, ObjectNode event) {
    CompletableFuture<Object> f = new CompletableFuture<>();
    t.append(event, e -> f.complete(e == null ? "ok" : e));
    return f;
  }

  @Test
  void theCallbackRuns_onlyOnceItsLineIsInTheFile() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      for (int i = 0; i < 3; i++) {
        int n = i;
        CompletableFuture<Integer> seen = new CompletableFuture<>();
        t.append(
            event(i),
            e -> {
              try {
                // Read by the callback itself: the line is there when it runs.
                seen.complete(e == null ? TrailLines.of(dir).size() : -1);
              } catch (IOException x) {
                seen.completeExceptionally(x);
              }
            });
        assertThat(seen.get(10, TimeUnit.SECONDS), is(n + 1));
      }
    }
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void manyAppendsWithoutWaiting_formOneChain_eachLineOnce_inTheOrderTheyWereQueued()
      throws Exception {
    List<CompletableFuture<Object>> outcomes = new ArrayList<>();
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, 4096)) {
      for (int i = 0; i < 2_000; i++) {
        outcomes.add(append(t, event(i)));
      }
      for (CompletableFuture<Object> f : outcomes) {
        assertThat(f.get(30, TimeUnit.SECONDS), is("ok"));
      }
    }
    List<JsonNode> lines = TrailLines.of(dir);
    assertThat(lines.size(), is(2_000));
    for (int i = 0; i < lines.size(); i++) {
      assertThat(lines.get(i).get("n").asInt(), is(i));
    }
    assertThat(AuditFiles.list(dir).size() > 1, is(true)); // closed files on the way
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aCallbackThatThrows_doesNotStopTheWriter_norTheOtherLinesOfItsBatch() throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      AtomicInteger called = new AtomicInteger();
      t.append(
          event(0),
          e -> {
            called.incrementAndGet();
            throw new IllegalStateException("a callback's own fault");
          });
      CompletableFuture<Object> after = append(t, event(1));
      assertThat(after.get(10, TimeUnit.SECONDS), is("ok"));
      t.append(event(2)); // a waiting append still works
      assertThat(called.get(), is(1));
    }
    assertThat(TrailLines.of(dir).size(), is(3));
  }

  @Test
  void aClosedTrail_failsTheAppendAtOnce_onTheCallersThread() throws Exception {
    AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE);
    t.append(event(0));
    t.close();
    Thread[] ranOn = new Thread[1];
    IOException[] failure = new IOException[1];
    t.append(
        event(1),
        e -> {
          ranOn[0] = Thread.currentThread();
          failure[0] = e;
        });
    assertThat(ranOn[0], sameInstance(Thread.currentThread()));
    assertThat(failure[0].getMessage(), containsString("is closed"));
    assertThat(TrailLines.of(dir).size(), is(1));
  }

  @Test
  void aLineTheWriterCannotTakeInTime_failsAtItsDeadline_andIsNeverWritten() throws Exception {
    try (AuditTrail t =
        AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE, 256, Duration.ofMillis(300))) {
      t.append(event(0));
      Object outcome;
      long took;
      try (DirectoryLockHolder held = DirectoryLockHolder.hold(dir)) {
        long start = System.nanoTime();
        outcome = append(t, event(1)).get(10, TimeUnit.SECONDS);
        took = System.nanoTime() - start;
      }
      assertThat(outcome, instanceOf(IOException.class));
      assertThat(((IOException) outcome).getMessage(), containsString("was not written"));
      assertThat(took, lessThan(Duration.ofSeconds(5).toNanos()));
      assertThat(append(t, event(2)).get(10, TimeUnit.SECONDS), is("ok"));
    }
    List<JsonNode> lines = TrailLines.of(dir);
    assertThat(lines.size(), is(2));
    assertThat(lines.get(1).get("n").asInt(), is(2));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }

  @Test
  void aWriteThatFails_failsTheCallbacksOfItsBatch_andTheTrailGoesOnOnceItCanWrite()
      throws Exception {
    try (AuditTrail t = AuditTrail.open(dir, KEY, CLOCK, Long.MAX_VALUE)) {
      t.append(event(0));
      Path current = AuditFiles.list(dir).get(0);
      byte[] before = Files.readAllBytes(current);
      Files.delete(current);
      Files.createDirectory(current); // the current file cannot be opened for appending
      Object outcome = append(t, event(1)).get(10, TimeUnit.SECONDS);
      assertThat(outcome, instanceOf(IOException.class));
      assertThat(outcome, not(is("ok")));
      Files.delete(current);
      Files.write(current, before);
      assertThat(append(t, event(2)).get(10, TimeUnit.SECONDS), is("ok"));
    }
    assertThat(TrailLines.of(dir).size(), is(2));
    assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
  }
}
