package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.model.KeyListEntry;
import io.qkms.engine.api.model.ListKeysRequest;
import io.qkms.engine.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server under real use: concurrent clients, an administrator changing keys while re-keying
 * runs, the access log, and a graceful stop with a request in flight.
 */
@Timeout(60)
class ServingLifecycleTest {
  private static final String CONTEXT = "{\"Department\":\"Finance\"}";

  private static JsonNode json(HttpResponse<String> r) {
    assertThat(r.body(), r.statusCode(), equalTo(200));
    try {
      return Json.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String createKey(TestEndpoint e) {
    return json(e.call("CreateKey", "{}")).get("KeyMetadata").get("KeyId").asText();
  }

  private static String encrypt(TestEndpoint e, String keyId) {
    return json(e.call(
            "Encrypt",
            "{\"KeyId\":\""
                + keyId
                + "\",\"Plaintext\":\"aGVsbG8gd29ybGQ=\",\"EncryptionContext\":"
                + CONTEXT
                + "}"))
        .get("CiphertextBlob")
        .asText();
  }

  private static HttpResponse<String> reEncrypt(TestEndpoint e, String blob, String destination) {
    return e.call(
        "ReEncrypt",
        "{\"CiphertextBlob\":\""
            + blob
            + "\",\"SourceEncryptionContext\":"
            + CONTEXT
            + ",\"DestinationKeyId\":\""
            + destination
            + "\",\"DestinationEncryptionContext\":"
            + CONTEXT
            + "}");
  }

  /** Waits for a condition that another thread makes true, at most 10 seconds. */
  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for: " + what);
      }
      Thread.sleep(5);
    }
  }

  @Test
  void concurrentClients_areAllServed() throws Exception {
    try (TestEndpoint e = TestEndpoint.start(Clock.systemUTC())) {
      String source = createKey(e);
      String destination = createKey(e);
      String blob = encrypt(e, source);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(
              pool.submit(
                  () -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                      statuses.add(reEncrypt(e, blob, destination).statusCode());
                    }
                    return statuses;
                  }));
        }
        for (Future<List<Integer>> f : results) {
          assertThat(f.get(30, TimeUnit.SECONDS), everyItem(equalTo(200)));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void administratorChangesKeys_whileReEncryptRuns_everyCallSucceeds() throws Exception {
    try (TestEndpoint e = TestEndpoint.start(Clock.systemUTC())) {
      String source = createKey(e);
      String destination = createKey(e);
      String blob = encrypt(e, source);
      json(
          e.call(
              "CreateAlias",
              "{\"AliasName\":\"alias/target\",\"TargetKeyId\":\"" + destination + "\"}"));
      CompletableFuture<List<Integer>> rekeying =
          CompletableFuture.supplyAsync(
              () -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                  statuses.add(reEncrypt(e, blob, "alias/target").statusCode());
                }
                return statuses;
              });

      // The administrator, at the same time: new keys, a moved alias, rotations, a disabled key.
      for (int i = 0; i < 5; i++) {
        String k = createKey(e);
        json(e.call("RotateKeyOnDemand", "{\"KeyId\":\"" + destination + "\"}"));
        json(
            e.call(
                "UpdateAlias", "{\"AliasName\":\"alias/target\",\"TargetKeyId\":\"" + k + "\"}"));
        json(e.call("DisableKey", "{\"KeyId\":\"" + createKey(e) + "\"}"));
        json(e.call("EnableKeyRotation", "{\"KeyId\":\"" + k + "\"}"));
      }

      assertThat(rekeying.get(30, TimeUnit.SECONDS), everyItem(equalTo(200)));
    }
  }

  @Test
  void accessLog_namesOperationPrincipalAndStatus_butNoKeysBlobsOrSecrets() throws Exception {
    try (TestEndpoint e = TestEndpoint.start(Clock.systemUTC())) {
      String key = createKey(e);
      String blob = encrypt(e, key);
      HttpResponse<String> ok = reEncrypt(e, blob, key);
      String okId = ok.headers().firstValue("x-amzn-RequestId").orElseThrow();
      HttpResponse<String> denied = e.send(e.signedWithAWrongSecret("ListKeys"));
      String deniedId = denied.headers().firstValue("x-amzn-RequestId").orElseThrow();
      await(
          () -> e.accessLog.stream().anyMatch(l -> l.contains(deniedId)),
          "the access log line of " + deniedId);

      String okLine = e.accessLog.stream().filter(l -> l.contains(okId)).findFirst().orElseThrow();
      assertThat(
          okLine,
          matchesPattern(
              "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z "
                  + okId
                  + " 127\\.0\\.0\\.1:\\d+ ReEncrypt arn:verenc:111122223333:root 200 - \\d+\\.\\d\\dms"));
      String deniedLine =
          e.accessLog.stream().filter(l -> l.contains(deniedId)).findFirst().orElseThrow();
      assertThat(deniedLine, containsString(" ListKeys - 400 InvalidSignatureException "));
      String all = String.join("\n", e.accessLog);
      assertThat(all, not(containsString(blob.substring(0, 40))));
      assertThat(all, not(containsString(key)));
      assertThat(all, not(containsString(e.rootKey.secretAccessKey())));
      assertThat(all, not(containsString("aGVsbG8gd29ybGQ="))); // the plaintext
    }
  }

  @Test
  void stop_letsTheRequestInFlightFinish_refusesNewConnections_andKeepsTheStore() throws Exception {
    try (TestEndpoint e = TestEndpoint.start(Clock.systemUTC())) {
      byte[] body = "{\"Description\":\"made during shutdown\"}".getBytes(StandardCharsets.UTF_8);
      int port = e.server.port();
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        // Headers and half the body: the request is in the handler, waiting for the rest.
        out.write(RawHttp.signedHead(e, "CreateKey", body, Instant.now(), true));
        out.write(body, 0, body.length / 2);
        out.flush();
        await(() -> e.server.requestsInFlight() == 1, "the request to be in flight");

        CompletableFuture<Void> stopping =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    e.server.stop();
                  } catch (Exception x) {
                    throw new IllegalStateException(x);
                  }
                });
        await(() -> refusesConnections(port), "the listener to close");
        assertThat(stopping.isDone(), equalTo(false)); // still waiting for our request

        out.write(body, body.length / 2, body.length - body.length / 2);
        out.flush();
        RawHttp.Response r = RawHttp.read(s);

        assertThat(r.body(), r.status(), equalTo(200));
        String keyId = Json.mapper().readTree(r.body()).get("KeyMetadata").get("KeyId").asText();
        stopping.get(10, TimeUnit.SECONDS);
        assertThat(
            e
                .engine
                .listKeys(e.engine.rootCaller(), new ListKeysRequest(1000, null))
                .keys()
                .stream()
                .map(KeyListEntry::keyId)
                .toList(),
            hasItem(keyId));
      }
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }
  }

  private static boolean refusesConnections(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return false;
    } catch (IOException x) {
      return true;
    }
  }
}
