package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.cli.AwsClients.Run;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * {@code qkms serve --max-requests-per-second}: the real AWS CLI sees AWS KMS's ThrottlingException
 * beyond the quota, and takes it for throttling (it retries it); the option's bad values are usage
 * errors.
 */
@Timeout(300)
class ServeQuotaTest {
  private static final int QUOTA = 1;
  // Enough load threads that a freed token goes to one of them, not to the CLI's next attempt: with
  // two, a gap between their calls on a busy two-core machine once gave one to the CLI's last try.
  private static final int LOAD_THREADS = 8;

  @TempDir static Path dir;
  private static Path ks;
  private static ServeProcess server;
  private static AwsClients clients;
  private static JsonNode accessKey;

  @BeforeAll
  static void start() throws Exception {
    ks = dir.resolve("ks");
    InProcess.init(ks);
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
    final KmsClient kms = SdkClients.withKey(server.endpoint(), accessKey);

    Load() {
      for (int i = 0; i < LOAD_THREADS; i++) {
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

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--max-requests-per-second | 0 | a whole number of requests per second, at least 1",
        "--max-requests-per-second | -5 | a whole number of requests per second, at least 1",
        "--max-requests-per-second | 1.5 | a whole number of requests per second, at least 1",
        "--max-requests-per-second | lots | a whole number of requests per second, at least 1",
        "--body-timeout | 0 | a whole number of seconds, at least 1",
        "--body-timeout | -1 | a whole number of seconds, at least 1",
        "--body-timeout | 1.5 | a whole number of seconds, at least 1",
        "--body-timeout | soon | a whole number of seconds, at least 1",
        "--max-connections | 0 | a whole number of connections, at least 1",
        "--max-connections | -1 | a whole number of connections, at least 1",
        "--max-connections | many | a whole number of connections, at least 1",
        "--max-connections-per-address | 0 | a whole number of connections, at least 1",
        "--max-connections-per-address | -1 | a whole number of connections, at least 1",
        "--max-connections-per-address | many | a whole number of connections, at least 1"
      })
  void aQuotaTimeoutOrConnectionLimitThatIsNotAPositiveWholeNumber_isAUsageError(
      String option, String bad, String expected) {
    CliProcess.Result r = InProcess.serveWithBadOptions(ks, option, bad);

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: error: Invalid value for " + option + ": '" + bad + "' (" + expected + ")"));
  }
}
