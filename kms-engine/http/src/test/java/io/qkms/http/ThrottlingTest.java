package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.credentials.NewAccessKey;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code --max-requests-per-second}: beyond the quota a call gets HTTP 400 with AWS KMS's
 * ThrottlingException body, which the AWS SDK for Java v2 recognises as throttling: without retries
 * the caller sees it, with retries the call succeeds once the quota allows. The quota's time is a
 * hand-moved ticker; the SDK signs with the real time.
 */
@Timeout(60)
class ThrottlingTest {
  private static final long SECOND = 1_000_000_000L;
  private static final int QUOTA = 3;
  private static final String BODY =
      "{\"__type\":\"ThrottlingException\",\"message\":\"You have exceeded the rate at which you"
          + " may call KMS. Reduce the frequency of your calls.\"}";

  private static final AtomicLong ticker = new AtomicLong();
  private static TestEndpoint endpoint;

  @BeforeAll
  static void start() throws Exception {
    endpoint =
        TestEndpoint.start(
            Clock.systemUTC(), b -> b.maxRequestsPerSecond(QUOTA).ticker(ticker::get));
  }

  @AfterAll
  static void stop() throws Exception {
    endpoint.close();
  }

  /** Every test starts with full buckets: an idle bucket fills up in a second. */
  @BeforeEach
  void refill() {
    ticker.addAndGet(10 * SECOND);
  }

  private static HttpResponse<String> listKeys(NewAccessKey key, String region) {
    return endpoint.send(
        endpoint.signed("ListKeys", "{}".getBytes(StandardCharsets.UTF_8), key, region));
  }

  private static void assertThrottled(HttpResponse<String> r) {
    assertThat(r.statusCode(), equalTo(400));
    assertThat(r.body(), equalTo(BODY));
    assertThat(r.headers().firstValue("Content-Type").orElse(""), equalTo(TestEndpoint.JSON_11));
  }

  @Test
  void beyondTheQuota_aCallGets400WithAwsThrottlingBody() {
    for (int i = 0; i < QUOTA; i++) {
      assertThat(listKeys(endpoint.rootKey, "us-east-1").statusCode(), equalTo(200));
    }

    assertThrottled(listKeys(endpoint.rootKey, "us-east-1"));
  }

  @Test
  void theQuota_isSharedByEveryAccessKeyOfTheAccount() {
    assertThat(listKeys(endpoint.rootKey, "us-east-1").statusCode(), equalTo(200));
    assertThat(listKeys(endpoint.aliceKey, "us-east-1").statusCode(), equalTo(200));
    assertThat(listKeys(endpoint.rootKey, "us-east-1").statusCode(), equalTo(200));

    assertThrottled(listKeys(endpoint.aliceKey, "us-east-1"));
  }

  @Test
  void eachRegion_hasItsOwnQuota() {
    for (int i = 0; i < QUOTA; i++) {
      listKeys(endpoint.rootKey, "us-east-1");
    }

    assertThat(listKeys(endpoint.rootKey, "eu-west-1").statusCode(), equalTo(200));
    assertThrottled(listKeys(endpoint.rootKey, "us-east-1"));
  }

  @Test
  void afterAThirdOfASecond_oneMoreCallPasses() {
    for (int i = 0; i < QUOTA; i++) {
      listKeys(endpoint.rootKey, "us-east-1");
    }
    assertThrottled(listKeys(endpoint.rootKey, "us-east-1"));

    ticker.addAndGet(SECOND / QUOTA);

    assertThat(listKeys(endpoint.rootKey, "us-east-1").statusCode(), equalTo(200));
    assertThrottled(listKeys(endpoint.rootKey, "us-east-1"));
  }

  @Test
  void requestsThatDoNotAuthenticate_takeNothingFromTheQuota() {
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = endpoint.send(endpoint.signedWithAWrongSecret("ListKeys"));
      assertThat(r.statusCode(), equalTo(400));
    }

    for (int i = 0; i < QUOTA; i++) {
      assertThat(listKeys(endpoint.rootKey, "us-east-1").statusCode(), equalTo(200));
    }
  }

  @Test
  void aThrottledCall_isInTheAccessLogAsThrottlingException() throws InterruptedException {
    for (int i = 0; i < QUOTA; i++) {
      listKeys(endpoint.rootKey, "us-east-1");
    }
    String id =
        listKeys(endpoint.rootKey, "us-east-1")
            .headers()
            .firstValue("x-amzn-RequestId")
            .orElseThrow();

    long deadline = System.nanoTime() + 10 * SECOND;
    while (endpoint.accessLog.stream().noneMatch(l -> l.contains(id))
        && System.nanoTime() < deadline) {
      Thread.sleep(10); // the access log is written from a background thread
    }
    String line = endpoint.accessLog.stream().filter(l -> l.contains(id)).findFirst().orElseThrow();
    assertThat(
        line.contains(" ListKeys arn:verenc:111122223333:root 400 ThrottlingException "),
        equalTo(true));
  }

  private static KmsClientBuilder sdk() {
    return KmsClient.builder()
        .endpointOverride(URI.create(endpoint.server.endpoint().toString()))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    endpoint.rootKey.accessKeyId(), endpoint.rootKey.secretAccessKey())))
        .httpClientBuilder(UrlConnectionHttpClient.builder());
  }

  @Test
  void sdkClientWithoutRetries_seesAThrottlingException() {
    try (KmsClient kms =
        sdk()
            .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .build()) {
      for (int i = 0; i < QUOTA; i++) {
        kms.listKeys();
      }

      KmsException e = assertThrows(KmsException.class, kms::listKeys);

      assertThat(e.awsErrorDetails().errorCode(), equalTo("ThrottlingException"));
      assertThat(
          e.awsErrorDetails().errorMessage(),
          equalTo(
              "You have exceeded the rate at which you may call KMS. Reduce the frequency of your"
                  + " calls."));
      assertThat(e.statusCode(), equalTo(400));
      assertThat(e.isThrottlingException(), equalTo(true));
    }
  }

  /** Lets a second of quota time pass after each throttled response, as the SDK backs off. */
  private static final class QuotaTimePasses implements ExecutionInterceptor {
    final AtomicInteger throttled = new AtomicInteger();

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes a) {
      if (context.httpResponse().statusCode() == 400) {
        throttled.incrementAndGet();
        ticker.addAndGet(SECOND);
      }
    }
  }

  @Test
  void sdkClientWithItsStandardRetries_succeedsOnceTheQuotaAllows() {
    QuotaTimePasses time = new QuotaTimePasses();
    try (KmsClient kms =
        sdk()
            .overrideConfiguration(
                o -> o.retryStrategy(RetryMode.STANDARD).addExecutionInterceptor(time))
            .build()) {
      for (int i = 0; i < QUOTA; i++) {
        kms.listKeys();
      }

      kms.listKeys(); // throttled once, then retried

      assertThat(time.throttled.get(), equalTo(1));
    }
  }
}
