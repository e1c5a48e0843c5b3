package io.qkms.http;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.keys.AccountId;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.InMemoryKeyStore;
import io.qkms.engine.store.KeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A real endpoint for tests: an engine over an in-memory key store (account 111122223333, regions
 * us-east-1 and eu-west-1), access keys for the root and for user alice, the server on a free port
 * of 127.0.0.1, its access log kept in memory; and a raw HTTP client that signs with {@link
 * TestSigner}.
 */
final class TestEndpoint implements AutoCloseable {
  static final AccountId ACCOUNT = AccountId.of("111122223333");
  static final Region US_EAST_1 = Region.of("us-east-1");
  static final Region EU_WEST_1 = Region.of("eu-west-1");
  static final Principal ROOT = Principal.root(ACCOUNT);
  static final Principal ALICE = Principal.user(ACCOUNT, "alice");
  static final String JSON_11 = "application/x-amz-json-1.1";
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final KeyStore store;
  final KmsEngine engine;
  final QkmsHttpServer server;
  final Clock clock;
  final NewAccessKey rootKey;
  final NewAccessKey aliceKey;
  final List<String> accessLog = new CopyOnWriteArrayList<>();
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestEndpoint(KeyStore store, Clock clock, Consumer<QkmsHttpServer.Builder> customize)
      throws Exception {
    this.clock = clock;
    this.store = store;
    this.engine = KmsEngine.builder().keyStore(store).build();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    this.rootKey = AccessKeys.of(store, TIMEOUT).create(ROOT, now);
    this.aliceKey = AccessKeys.of(store, TIMEOUT).create(ALICE, now);
    QkmsHttpServer.Builder b =
        QkmsHttpServer.builder()
            .engine(engine)
            .port(0)
            .clock(clock)
            .credentialRefresh(Duration.ZERO)
            .stopTimeout(Duration.ofSeconds(5))
            .accessLog(accessLog::add);
    customize.accept(b);
    this.server = b.build().start();
  }

  /** An endpoint whose SigV4 clock is {@code clock}. */
  static TestEndpoint start(Clock clock) throws Exception {
    return start(clock, b -> {});
  }

  static TestEndpoint start(Clock clock, Consumer<QkmsHttpServer.Builder> customize)
      throws Exception {
    return start(InMemoryKeyStore.create(ACCOUNT, US_EAST_1, EU_WEST_1), clock, customize);
  }

  /** An endpoint over {@code store} (account 111122223333). */
  static TestEndpoint start(KeyStore store, Clock clock, Consumer<QkmsHttpServer.Builder> customize)
      throws Exception {
    return new TestEndpoint(store, clock, customize);
  }

  URI uri() {
    return server.endpoint().resolve("/");
  }

  String host() {
    return "127.0.0.1:" + server.port();
  }

  /**
   * A POST / of {@code json} to {@code TrentService.<operation>} (or the target given, e.g. {@code
   * QkmsService.BatchReEncrypt}), signed as the root now.
   */
  HttpResponse<String> call(String operation, String json) {
    return send(signed(operation, json.getBytes(StandardCharsets.UTF_8), rootKey, "us-east-1"));
  }

  /** A request signed with {@code key} for {@code region}, at the server clock's time. */
  HttpRequest signed(String operation, byte[] body, NewAccessKey key, String region) {
    return signed(
        operation, body, key.accessKeyId(), key.secretAccessKey(), region, clock.instant());
  }

  HttpRequest signed(
      String operation,
      byte[] body,
      String accessKeyId,
      String secret,
      String region,
      Instant time) {
    return post(
        HttpRequest.BodyPublishers.ofByteArray(body),
        signPost(kmsHeaders(operation), body, accessKeyId, secret, region, time));
  }

  /**
   * A call of {@code operation} with body {@code {}} that does not authenticate: the root's access
   * key ID, a wrong secret, at the server clock's time.
   */
  HttpRequest signedWithAWrongSecret(String operation) {
    return signed(
        operation,
        "{}".getBytes(StandardCharsets.UTF_8),
        rootKey.accessKeyId(),
        "not the secret",
        "us-east-1",
        clock.instant());
  }

  /** Content-Type and X-Amz-Target of a call to {@code operation} (see {@link #target}). */
  static Map<String, String> kmsHeaders(String operation) {
    return Map.of("Content-Type", JSON_11, "X-Amz-Target", target(operation));
  }

  /**
   * {@code headers} with X-Amz-Date and Authorization added: a POST / of {@code body} signed as the
   * root for us-east-1 and {@code service} at {@code time}.
   */
  Map<String, String> signPost(
      Map<String, String> headers, byte[] body, String service, Instant time) {
    return TestSigner.sign(
        "POST",
        host(),
        "/",
        headers,
        body,
        rootKey.accessKeyId(),
        rootKey.secretAccessKey(),
        "us-east-1",
        service,
        time);
  }

  /** As above for kms, with any credentials (known to the server or not) and region. */
  Map<String, String> signPost(
      Map<String, String> headers,
      byte[] body,
      String accessKeyId,
      String secret,
      String region,
      Instant time) {
    return TestSigner.sign(
        "POST", host(), "/", headers, body, accessKeyId, secret, region, "kms", time);
  }

  /** A POST / of {@code body} with exactly {@code headers}. */
  HttpRequest post(HttpRequest.BodyPublisher body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri()).timeout(TIMEOUT).POST(body);
    headers.forEach(b::header);
    return b.build();
  }

  /** A POST / of {@code body} with the headers of {@code signed}: its signature, another body. */
  HttpRequest resend(HttpRequest signed, HttpRequest.BodyPublisher body) {
    return post(body, signed.headers().map(), name -> true).build();
  }

  /**
   * A POST / of {@code body} with those of {@code headers} whose name {@code keep} accepts: a
   * request signed elsewhere (another signer, or tampered with), sent from here.
   */
  HttpRequest.Builder post(
      HttpRequest.BodyPublisher body, Map<String, List<String>> headers, Predicate<String> keep) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri()).timeout(TIMEOUT).POST(body);
    headers.forEach(
        (name, values) -> {
          if (keep.test(name)) {
            values.forEach(v -> b.header(name, v));
          }
        });
    return b;
  }

  /** {@code TrentService.<operation>}, or the operation as given if it names its service. */
  static String target(String operation) {
    return operation.contains(".") ? operation : "TrentService." + operation;
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      engine.close();
      store.close();
    }
  }
}
