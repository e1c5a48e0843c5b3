package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.cli.AwsClients.Run;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code qkms serve --max-requests-per-second}: the real AWS CLI sees AWS KMS's ThrottlingException
 * beyond the quota, and takes it for throttling (it retries it); the option's bad values are usage
 * errors.
 */
@Timeout(300)
class ServeQuotaTest {
  private static final int QUOTA = 2;

  @TempDir static Path dir;
  private static Path ks;
  private static ServeProcess server;
  private static AwsClients clients;
  private static JsonNode accessKey;

  @BeforeAll
  static void start() throws Exception {
    ks = dir.resolve("ks");
    InProcess.ok(Map.of(), "init", "--keystore", ks.toString());
    accessKey = InProcess.createAccessKey(ks, "arn:verenc:111122223333:user/load");
    server = ServeProcess.start(ks, "--max-requests-per-second", String.valueOf(QUOTA));
    clients = new AwsClients(dir, ks.resolve("credentials"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      assertThat(server.stop(), equalTo(143));
    }
  }

  /** Another client of the account that takes every request the quota allows, until closed. */
  private static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger throttled = new AtomicInteger();
    final List<Thread> threads = new ArrayList<>();
    final KmsClient kms =
        KmsClient.builder()
            .endpointOverride(URI.create(server.endpoint().toString()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        accessKey.get("AccessKeyId").asText(),
                        accessKey.get("SecretAccessKey").asText())))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
            .build();

    Load() {
      for (int i = 0; i < 2; i++) {
        Thread t = new Thread(this::run, "load-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    private void run() {
      while (running.get()) {
        try {
          kms.listKeys();
        } catch (KmsException e) {
          if (e.isThrottlingException()) {
            throttled.incrementAndGet();
          }
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(10_000);
      }
      kms.close();
    }
  }

  @Test
  void serve_saysItsQuota() {
    assertThat(
        server.startLine(), containsString("; at most " + QUOTA + " requests/s per region)"));
  }

  @Test
  void awsCli_whileAnotherClientUsesTheQuota_getsThrottlingException_afterRetryingIt()
      throws Exception {
    Run r;
    try (Load load = new Load()) {
      while (load.throttled.get() < 10) {
        Thread.onSpinWait(); // the quota is in use
      }
      r =
          clients.aws(
              server.endpoint(),
              Map.of("AWS_MAX_ATTEMPTS", "3", "AWS_RETRY_MODE", "standard"),
              "kms",
              "list-keys");
    }

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        containsString(
            "An error occurred (ThrottlingException) when calling the ListKeys operation (reached"
                + " max retries: 2): You have exceeded the rate at which you may call KMS. Reduce"
                + " the frequency of your calls."));
  }

  @Test
  void awsCli_withinTheQuota_isServed() throws Exception {
    Thread.sleep(1000); // whatever another test took has come back

    Run r = clients.aws(server.endpoint(), Map.of(), "kms", "list-keys");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stdout(), containsString("\"Keys\""));
  }

  @Test
  void aQuotaThatIsNotAPositiveWholeNumber_isAUsageError() {
    for (String bad : List.of("0", "-5", "1.5", "lots")) {
      CliProcess.Result r =
          InProcess.qkms(
              Map.of(),
              "serve",
              "--keystore",
              ks.toString(),
              "--port",
              "0",
              "--max-requests-per-second",
              bad);

      assertThat(r.toString(), r.status(), equalTo(252));
      assertThat(
          r.stderr(),
          containsString(
              "qkms: error: Invalid value for --max-requests-per-second: '"
                  + bad
                  + "' (a whole number of requests per second, at least 1)"));
    }
  }

  @Test
  void aBodyTimeoutThatIsNotAPositiveWholeNumber_isAUsageError() {
    for (String bad : List.of("0", "-1", "1.5", "soon")) {
      CliProcess.Result r =
          InProcess.qkms(
              Map.of(), "serve", "--keystore", ks.toString(), "--port", "0", "--body-timeout", bad);

      assertThat(r.toString(), r.status(), equalTo(252));
      assertThat(
          r.stderr(),
          containsString(
              "qkms: error: Invalid value for --body-timeout: '"
                  + bad
                  + "' (a whole number of seconds, at least 1)"));
    }
  }

  @Test
  void connectionLimitsThatAreNotPositiveWholeNumbers_areUsageErrors() {
    for (String option : List.of("--max-connections", "--max-connections-per-address")) {
      for (String bad : List.of("0", "-1", "many")) {
        CliProcess.Result r =
            InProcess.qkms(
                Map.of(), "serve", "--keystore", ks.toString(), "--port", "0", option, bad);

        assertThat(r.toString(), r.status(), equalTo(252));
        assertThat(
            r.stderr(),
            containsString(
                "qkms: error: Invalid value for "
                    + option
                    + ": '"
                    + bad
                    + "' (a whole number of connections, at least 1)"));
      }
    }
  }
}
