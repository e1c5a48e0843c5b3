package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.model.CreateGrantRequest;
import io.qkms.engine.api.model.CreateKeyRequest;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.credentials.NewAccessKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * QkmsService.BatchReEncrypt over HTTP, sent as the re-key job's remote mode sends it: a plain HTTP
 * client, the request signed by the AWS SDK's SigV4 signer ({@link AwsV4HttpSigner}). Items fail
 * alone, every item counts against the request quota, malformed batches are refused whole.
 */
@Timeout(60)
class BatchReEncryptHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SECOND = 1_000_000_000L;
  private static final int QUOTA = 10;
  private static final Map<String, String> CONTEXT = Map.of("Department", "Finance");
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection");

  private static final AtomicLong ticker = new AtomicLong();
  private static TestEndpoint endpoint; // unlimited
  private static TestEndpoint limited; // QUOTA requests/s, on the ticker

  @BeforeAll
  static void start() throws Exception {
    endpoint = TestEndpoint.start(Clock.systemUTC());
    limited =
        TestEndpoint.start(
            Clock.systemUTC(), b -> b.maxRequestsPerSecond(QUOTA).ticker(ticker::get));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
    limited.close();
  }

  /** A POST of {@code body} to {@code target}, signed with the AWS SDK's SigV4 signer. */
  private static HttpResponse<String> send(
      TestEndpoint e, NewAccessKey key, String target, byte[] body) {
    SdkHttpRequest request =
        SdkHttpRequest.builder()
            .uri(e.uri())
            .method(SdkHttpMethod.POST)
            .putHeader("Content-Type", TestEndpoint.JSON_11)
            .putHeader("X-Amz-Target", target)
            .build();
    SignedRequest signed =
        AwsV4HttpSigner.create()
            .sign(
                r ->
                    r.identity(
                            AwsCredentialsIdentity.create(key.accessKeyId(), key.secretAccessKey()))
                        .request(request)
                        .payload(ContentStreamProvider.fromByteArray(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1"));
    return e.send(
        e.post(
                HttpRequest.BodyPublishers.ofByteArray(body),
                signed.request().headers(),
                name -> !RESTRICTED.contains(name.toLowerCase(Locale.ROOT)))
            .build());
  }

  private static HttpResponse<String> batch(TestEndpoint e, NewAccessKey key, String body) {
    return send(e, key, "QkmsService.BatchReEncrypt", body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static String newKey(TestEndpoint e) {
    return e.engine
        .createKey(e.engine.rootCaller(), CreateKeyRequest.builder().build())
        .keyMetadata()
        .arn();
  }

  private static String encrypt(TestEndpoint e, String keyId, String plaintext) {
    byte[] blob =
        e.engine
            .encrypt(
                e.engine.rootCaller(),
                EncryptRequest.builder()
                    .keyId(keyId)
                    .plaintext(plaintext.getBytes(StandardCharsets.UTF_8))
                    .encryptionContext(CONTEXT)
                    .build())
            .ciphertextBlob();
    return Base64.getEncoder().encodeToString(blob);
  }

  private static String decrypt(TestEndpoint e, JsonNode result) {
    byte[] plaintext =
        e.engine
            .decrypt(
                e.engine.rootCaller(),
                DecryptRequest.builder()
                    .ciphertextBlob(
                        Base64.getDecoder().decode(result.get("CiphertextBlob").asText()))
                    .encryptionContext(CONTEXT)
                    .build())
            .plaintext();
    return new String(plaintext, StandardCharsets.UTF_8);
  }

  private static ObjectNode item(String blob, String destination) {
    ObjectNode item = JSON.createObjectNode();
    item.put("CiphertextBlob", blob);
    item.set("SourceEncryptionContext", JSON.valueToTree(CONTEXT));
    item.put("DestinationKeyId", destination);
    item.set("DestinationEncryptionContext", JSON.valueToTree(CONTEXT));
    return item;
  }

  private static String body(List<? extends JsonNode> items) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode array = body.putArray("Items");
    items.forEach(array::add);
    return body.toString();
  }

  /** {@code n} items re-encrypting "secret i" from a new key to another. */
  private static List<ObjectNode> items(TestEndpoint e, int n) {
    String source = newKey(e);
    String destination = newKey(e);
    return IntStream.range(0, n)
        .mapToObj(i -> item(encrypt(e, source, "secret " + i), destination))
        .toList();
  }

  private static JsonNode results(HttpResponse<String> r) {
    assertThat(r.body(), r.statusCode(), equalTo(200));
    assertThat(r.headers().firstValue("Content-Type").orElse(""), equalTo(TestEndpoint.JSON_11));
    return json(r.body()).get("Results");
  }

  @Test
  void aBatchSignedWithTheSdkSigner_isReEncryptedItemByItem() {
    JsonNode results = results(batch(endpoint, endpoint.rootKey, body(items(endpoint, 3))));

    assertThat(results.size(), equalTo(3));
    for (int i = 0; i < 3; i++) {
      assertThat(decrypt(endpoint, results.get(i)), equalTo("secret " + i));
    }
  }

  @Test
  void anItemError_affectsOnlyItsItem() {
    List<ObjectNode> items = items(endpoint, 3);
    items.get(1).set("SourceEncryptionContext", JSON.valueToTree(Map.of("Department", "HR")));

    JsonNode results = results(batch(endpoint, endpoint.rootKey, body(items)));

    assertThat(decrypt(endpoint, results.get(0)), equalTo("secret 0"));
    assertThat(results.get(1), equalTo(json("{\"__type\":\"InvalidCiphertextException\"}")));
    assertThat(decrypt(endpoint, results.get(2)), equalTo("secret 2"));
  }

  @Test
  void eachItem_isAuthorizedAsTheSigner() {
    List<ObjectNode> items = items(endpoint, 2);
    String destination = items.get(0).get("DestinationKeyId").asText();
    String allowedSource = newKey(endpoint);
    for (String key : List.of(allowedSource, destination)) {
      endpoint.engine.createGrant(
          endpoint.engine.rootCaller(),
          CreateGrantRequest.builder()
              .keyId(key)
              .granteePrincipal(TestEndpoint.ALICE.arn())
              .operations(List.of("ReEncryptFrom", "ReEncryptTo"))
              .build());
    }
    ObjectNode allowed = item(encrypt(endpoint, allowedSource, "alice's"), destination);

    JsonNode results =
        results(batch(endpoint, endpoint.aliceKey, body(List.of(items.get(0), allowed))));

    assertThat(results.get(0).get("__type").asText(), equalTo("AccessDeniedException"));
    assertThat(decrypt(endpoint, results.get(1)), equalTo("alice's"));
  }

  @Test
  void aThousandItems_largerThanAnyOtherRequestMayBe_areOneBatch() {
    ObjectNode one = items(endpoint, 1).get(0);
    one.put("CiphertextBlob", encrypt(endpoint, newKey(endpoint), "x".repeat(300)))
        .remove("SourceKeyId");
    List<ObjectNode> items = Collections.nCopies(1000, one);
    String body = body(items);
    assertThat(body.length() > QkmsHttpServer.DEFAULT_MAX_BODY_BYTES, equalTo(true));

    JsonNode results = results(batch(endpoint, endpoint.rootKey, body));

    assertThat(results.size(), equalTo(1000));
    assertThat(decrypt(endpoint, results.get(999)), equalTo("x".repeat(300)));
  }

  @Test
  void malformedBatches_are400ValidationException_forTheWholeRequest() {
    String good = items(endpoint, 1).get(0).toString();
    Map<String, String> cases =
        Map.of(
            "[" + good + "]",
            "The request body must be a JSON object with Items.",
            "{}",
            "Items is required: an array of ReEncrypt requests.",
            "{\"Items\": " + good + "}",
            "Items must be an array of ReEncrypt requests.",
            "{\"Items\": [" + good + ", \"x\"]}",
            "Items[1] must be a ReEncrypt request (a JSON object).",
            body(Collections.nCopies(1001, JSON.createObjectNode())),
            "1 validation error detected: Value at 'items' failed to satisfy constraint:"
                + " Member must have length less than or equal to 1000");
    cases.forEach(
        (body, message) -> {
          HttpResponse<String> r = batch(endpoint, endpoint.rootKey, body);
          assertThat(r.body(), r.statusCode(), equalTo(400));
          assertThat(
              json(r.body()),
              equalTo(
                  JSON.createObjectNode()
                      .put("__type", "ValidationException")
                      .put("message", message)));
        });
  }

  @Test
  void theBatchOperation_isQkmsServiceOnly() {
    HttpResponse<String> r =
        send(
            endpoint,
            endpoint.rootKey,
            "TrentService.BatchReEncrypt",
            body(items(endpoint, 1)).getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode(), equalTo(400));
    assertThat(json(r.body()).get("__type").asText(), equalTo("UnknownOperationException"));
  }

  @Test
  void everyItem_countsAgainstTheQuota_andItemsBeyondItAreThrottledOneByOne() {
    ticker.addAndGet(10 * SECOND); // a full bucket: QUOTA tokens
    List<ObjectNode> six = items(limited, 6);

    JsonNode first = results(batch(limited, limited.rootKey, body(six)));
    JsonNode second = results(batch(limited, limited.rootKey, body(six)));
    HttpResponse<String> third = batch(limited, limited.rootKey, body(six));
    HttpResponse<String> single = limited.call("ListKeys", "{}");
    ticker.addAndGet(SECOND / 2); // 5 tokens
    JsonNode fourth = results(batch(limited, limited.aliceKey, body(six.subList(0, 1))));
    JsonNode fifth = results(batch(limited, limited.rootKey, body(six)));

    first.forEach(r -> assertThat(r.has("CiphertextBlob"), equalTo(true)));
    JsonNode throttled =
        json(
            "{\"__type\":\"ThrottlingException\",\"message\":\"You have exceeded the rate at which"
                + " you may call KMS. Reduce the frequency of your calls.\"}");
    for (int i = 0; i < 6; i++) {
      assertThat("second batch, item " + i, second.get(i).has("CiphertextBlob"), equalTo(i < 4));
      if (i >= 4) {
        assertThat(second.get(i), equalTo(throttled));
      }
    }
    assertThat(third.statusCode(), equalTo(400));
    assertThat(json(third.body()), equalTo(throttled));
    assertThat(single.statusCode(), equalTo(400));
    assertThat(fourth.get(0).get("__type").asText(), equalTo("AccessDeniedException")); // counted
    for (int i = 0; i < 6; i++) {
      assertThat("fifth batch, item " + i, fifth.get(i).has("CiphertextBlob"), equalTo(i < 4));
    }
  }

  @Test
  void aMalformedBatch_countsAsOneRequest() {
    ticker.addAndGet(10 * SECOND);
    for (int i = 0; i < QUOTA; i++) {
      assertThat(batch(limited, limited.rootKey, "{\"Items\": []}").statusCode(), equalTo(400));
    }

    HttpResponse<String> r = batch(limited, limited.rootKey, "{\"Items\": []}");

    assertThat(json(r.body()).get("__type").asText(), equalTo("ThrottlingException"));
  }
}
