package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.LimitExceededException;

/**
 * {@code qkms serve --max-keys-per-region --key-creators}: the AWS SDK sees AWS's
 * LimitExceededException at the limit and AccessDeniedException for a principal that may not create
 * keys; bad values are usage errors.
 */
@Timeout(120)
class ServeKeyLimitsTest {
  private static final String ACCOUNT = "111122223333";

  @TempDir static Path dir;
  private static Path ks;
  private static ServeProcess server;
  private static KmsClient alice;
  private static KmsClient bob;

  @BeforeAll
  static void start() throws Exception {
    ks = dir.resolve("ks");
    InProcess.init(ks);
    JsonNode a = InProcess.createAccessKey(ks, "arn:verenc:" + ACCOUNT + ":user/alice");
    JsonNode b = InProcess.createAccessKey(ks, "arn:verenc:" + ACCOUNT + ":user/bob");
    server =
        ServeProcess.start(
            ks,
            "--max-keys-per-region",
            "2",
            "--key-creators",
            "arn:verenc:" + ACCOUNT + ":user/alice");
    alice = SdkClients.withKey(server.endpoint(), a);
    bob = SdkClients.withKey(server.endpoint(), b);
  }

  @AfterAll
  static void stop() throws Exception {
    if (alice != null) {
      alice.close();
      bob.close();
    }
    if (server != null) {
      assertThat(server.stop(), equalTo(143));
    }
  }

  @Test
  void aNamedCreatorCreatesKeysUpToTheLimit_thenGetsLimitExceeded_andOthersAreDenied() {
    // One test: the order matters (the limit counts the keys made before).
    KmsException denied = assertThrows(KmsException.class, () -> bob.createKey(r -> {}));
    assertThat(denied.awsErrorDetails().errorCode(), equalTo("AccessDeniedException"));
    assertThat(
        denied.awsErrorDetails().errorMessage(),
        equalTo(
            "User: arn:verenc:"
                + ACCOUNT
                + ":user/bob is not authorized to perform: kms:CreateKey because no"
                + " identity-based policy allows the kms:CreateKey action"));

    alice.createKey(r -> {});
    alice.createKey(r -> {});
    LimitExceededException limit =
        assertThrows(LimitExceededException.class, () -> alice.createKey(r -> {}));
    assertThat(limit.statusCode(), equalTo(400));
    assertThat(
        limit.awsErrorDetails().errorMessage(),
        equalTo("The maximum number of keys (2) in region us-east-1 was reached."));
    assertThat(alice.listKeys().keys().size(), equalTo(2));
  }

  @Test
  void badKeyLimitsAndCreatorLists_areUsageErrors() {
    for (List<String> bad :
        List.of(
            List.of("--max-keys-per-region", "0"),
            List.of("--max-keys-per-region", "lots"),
            List.of("--key-creators", "alice"),
            List.of("--key-creators", "arn:verenc:" + ACCOUNT + ":user/alice,"))) {
      CliProcess.Result r = InProcess.serveWithBadOptions(ks, bad.get(0), bad.get(1));

      assertThat(r.toString(), r.status(), equalTo(252));
      assertThat(r.stderr(), containsString("qkms: error: Invalid value for " + bad.get(0)));
    }
  }
}
