package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.audit.AuditVerifier;
import io.qkms.engine.testing.ChildJvm;
import io.qkms.engine.testing.FileLockHolder;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerAuditTest {
  private static final byte[] KEY = new byte[32];
  private static final String SECRET = "top-secret-plaintext-0123456789";

  @TempDir Path tmp;

  private TestEndpoint start(Path dir, ApiAudit.Failure failure) throws Exception {
    AuditTrail trail =
        AuditTrail.open(dir, KEY, Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES);
    return TestEndpoint.start(Clock.systemUTC(), b -> b.audit(trail, failure));
  }

  private static String trailText(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsonl"))
          .sorted()
          .map(
              p -> {
                try {
                  return Files.readString(p);
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              })
          .collect(Collectors.joining());
    }
  }

  @Test
  void everyCallAllowedOrRefusedIsRecordedWithoutPlaintextsOrBlobs() throws Exception {
    Path dir = tmp.resolve("audit");
    try (TestEndpoint e = start(dir, ApiAudit.Failure.REFUSE)) {
      String keyId =
          e.call("CreateKey", "{}").body().replaceAll(".*\"KeyId\":\"([^\"]+)\".*", "$1");
      String plaintext = Base64.getEncoder().encodeToString(SECRET.getBytes());
      String enc =
          e.call(
                  "Encrypt",
                  "{\"KeyId\":\""
                      + keyId
                      + "\",\"Plaintext\":\""
                      + plaintext
                      + "\",\"EncryptionContext\":{\"Dept\":\"Finance\"}}")
              .body();
      String blob = enc.replaceAll(".*\"CiphertextBlob\":\"([^\"]+)\".*", "$1");
      assertThat(
          e.call(
                  "Decrypt",
                  "{\"CiphertextBlob\":\""
                      + blob
                      + "\",\"EncryptionContext\":{\"Dept\":\"Finance\"}}")
              .statusCode(),
          is(200));
      assertThat(
          e.send(
                  e.signed(
                      "Encrypt",
                      "{\"GrantTokens\":[\"tok-secret\"]}".getBytes(),
                      e.rootKey,
                      "us-east-1"))
              .statusCode(),
          is(400));
      String text = trailText(dir);
      assertThat(text, containsString("\"eventName\":\"Decrypt\""));
      assertThat(text, containsString("\"Dept\":\"Finance\""));
      assertThat(text, containsString("\"keyMaterialIds\""));
      assertThat(text, containsString("\"principalArn\":\"" + TestEndpoint.ROOT.arn() + "\""));
      assertThat(text, containsString("\"errorCode\":\"ValidationException\""));
      assertThat(text, not(containsString(plaintext)));
      assertThat(text, not(containsString(blob)));
      assertThat(text, not(containsString("tok-secret")));
      assertThat(text, not(containsString(e.rootKey.secretAccessKey())));
      assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
    }
  }

  @Test
  void anAuditDirectoryThatBecameAFileRefusesCallsOrIsLogged() throws Exception {
    Path refuseDir = tmp.resolve("refuse");
    try (TestEndpoint e = start(refuseDir, ApiAudit.Failure.REFUSE)) {
      assertThat(e.call("ListKeys", "{}").statusCode(), is(200));
      breakDirectory(refuseDir);
      var r = e.call("ListKeys", "{}");
      assertThat(r.statusCode(), is(500));
      assertThat(r.body(), containsString("KMSInternalException"));
      assertThat(r.body(), not(containsString(refuseDir.toString())));
      assertThat(e.call("CreateKey", "{}").statusCode(), is(500));
    }
    Path logDir = tmp.resolve("log");
    try (TestEndpoint e = start(logDir, ApiAudit.Failure.LOG)) {
      breakDirectory(logDir);
      assertThat(e.call("ListKeys", "{}").statusCode(), is(200));
    }
  }

  /**
   * Concurrent callers: {@code threads} threads making {@code perThread} ListKeys calls each on a
   * server whose files close at 2 KiB; returns each answer's status and request ID.
   */
  private static List<String[]> concurrentCalls(TestEndpoint e, int threads, int perThread)
      throws Exception {
    List<String[]> answers = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    HttpResponse<String> r = e.call("ListKeys", "{}");
                    answers.add(
                        new String[] {
                          String.valueOf(r.statusCode()),
                          r.headers().firstValue("x-amzn-RequestId").orElse("")
                        });
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return answers;
  }

  @Test
  void callsWaitingForTheirLines_holdNoThread_andOtherConnectionsAreServed() throws Exception {
    Path dir = tmp.resolve("audit");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    List<Socket> waiting = new ArrayList<>();
    AuditTrail trail =
        AuditTrail.open(dir, KEY, Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES);
    try (TestEndpoint e =
            TestEndpoint.start(
                Clock.systemUTC(),
                b -> b.audit(trail, ApiAudit.Failure.REFUSE).tryItOut(true).maxThreads(8));
        ChildJvm holder =
            ChildJvm.start(FileLockHolder.class, dir.resolve("audit.head").toString())) {
      // Another process holds the trail's lock: every audited call waits for its line.
      holder.awaitLine("locked", Duration.ofSeconds(30));
      try {
        // Three times as many calls as the server has threads, each body sent after its head, so
        // that the body's end comes in a callback of the connection's selector.
        for (int i = 0; i < 24; i++) {
          Socket s = new Socket("127.0.0.1", e.uri().getPort());
          s.setSoTimeout(30_000);
          waiting.add(s);
          s.getOutputStream().write(RawHttp.signedHead(e, "ListKeys", body, Instant.now(), true));
          s.getOutputStream().flush();
        }
        Thread.sleep(300);
        for (Socket s : waiting) {
          s.getOutputStream().write(body);
          s.getOutputStream().flush();
        }
        Thread.sleep(300);
        // A blocked selector, or a pool of threads each waiting for a line, would leave this
        // waiting until the calls above give up (10 s).
        HttpResponse<String> page =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(e.uri().resolve("/try-it-out"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode(), is(200));
        holder.kill();
        for (Socket s : waiting) {
          assertThat(RawHttp.read(s).status(), is(200));
        }
      } finally {
        for (Socket s : waiting) {
          s.close();
        }
      }
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, null, null);
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is((long) waiting.size()));
  }

  private TestEndpoint startSmallFiles(Path dir, ApiAudit.Failure failure) throws Exception {
    AuditTrail trail = AuditTrail.open(dir, KEY, Clock.systemUTC(), 2048);
    return TestEndpoint.start(Clock.systemUTC(), b -> b.audit(trail, failure));
  }

  @Test
  void concurrentCalls_areEachRecordedOnce_inOneIntactChain() throws Exception {
    Path dir = tmp.resolve("audit");
    List<String[]> answers;
    try (TestEndpoint e = startSmallFiles(dir, ApiAudit.Failure.REFUSE)) {
      answers = concurrentCalls(e, 16, 12);
    }
    String text = trailText(dir);
    for (String[] a : answers) {
      assertThat(a[0], is("200"));
      assertThat(text.split("\"requestID\":\"" + a[1] + "\"", -1).length, is(2));
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, KEY, null, null);
    assertThat(r.problem(), nullValue());
    assertThat(r.lines(), is(16L * 12));
  }

  @Test
  void aTrailFailingUnderConcurrentCalls_answersNoCallAsAuditedThatIsNot_orServesAndLogs()
      throws Exception {
    for (ApiAudit.Failure failure : ApiAudit.Failure.values()) {
      Path dir = tmp.resolve(failure.name());
      Files.createDirectories(dir);
      // The trail's eighth file cannot be created: writing fails once the seventh is full (after
      // some 20 lines), inside whichever batch gets there.
      Path blocker =
          dir.resolve(
              String.format(
                  "audit-%06d-%s.jsonl",
                  3, DateTimeFormatter.BASIC_ISO_DATE.format(LocalDate.now(ZoneOffset.UTC))));
      Files.createDirectory(blocker);
      List<String[]> answers;
      try (TestEndpoint e = startSmallFiles(dir, failure)) {
        // Three calls one after the other first, each a batch of its own: a batch fails as a
        // whole, and concurrent calls alone may all queue into the one that fails.
        answers = new ArrayList<>(concurrentCalls(e, 1, 3));
        answers.addAll(concurrentCalls(e, 16, 8));
      }
      Files.delete(blocker);
      String text = trailText(dir);
      long refused = answers.stream().filter(a -> a[0].equals("500")).count();
      if (failure == ApiAudit.Failure.REFUSE) {
        assertThat(refused > 0 && refused < answers.size(), is(true));
        for (String[] a : answers) {
          if (a[0].equals("200")) {
            assertThat(a[1], text.contains("\"requestID\":\"" + a[1] + "\""), is(true));
          } else {
            assertThat(a[0], is("500"));
          }
        }
      } else {
        assertThat(refused, is(0L));
      }
      // What was written is intact: the lines before the failure, under their head.
      assertThat(AuditVerifier.verify(dir, KEY, null, null).problem(), nullValue());
    }
  }

  /** Removed and replaced by a file: fails even for root, where a read-only mode would not. */
  private static void breakDirectory(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
    Files.writeString(dir, "not a directory");
  }
}
