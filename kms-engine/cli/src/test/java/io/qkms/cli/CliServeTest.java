package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.credentials.CredentialsFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * {@code qkms init} then {@code qkms serve} in its own JVM, driven by the AWS SDK with nothing but
 * the credentials file init wrote (profile qkms); then SIGTERM, a graceful stop, and a store that
 * still holds what the server made.
 */
@Timeout(120)
class CliServeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void initThenServe_drivenByTheSdkWithTheCredentialsFile_thenSigtermStopsGracefully()
      throws Exception {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    ServeProcess server = ServeProcess.start(ks);
    String keyId;
    try (KmsClient kms = SdkClients.withProfile(server.endpoint(), ks.resolve("credentials"))) {
      keyId = kms.createKey(b -> b.description("via serve")).keyMetadata().keyId();
      String next = kms.createKey(b -> b.description("next")).keyMetadata().keyId();
      SdkBytes blob =
          kms.encrypt(
                  b ->
                      b.keyId(keyId)
                          .plaintext(SdkBytes.fromUtf8String("hello"))
                          .encryptionContext(Map.of("k", "v")))
              .ciphertextBlob();
      ReEncryptResponse r =
          kms.reEncrypt(
              b ->
                  b.ciphertextBlob(blob)
                      .sourceEncryptionContext(Map.of("k", "v"))
                      .destinationKeyId(next)
                      .destinationEncryptionContext(Map.of("k", "v")));
      assertThat(
          kms.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob()).encryptionContext(Map.of("k", "v")))
              .plaintext()
              .asUtf8String(),
          equalTo("hello"));
    } finally {
      // SIGTERM; through the handle, as Process.destroy() would also close our end of its pipes.
      server.process().toHandle().destroy();
    }

    assertThat(server.exit(), equalTo(143)); // 128 + SIGTERM, after the shutdown hook ran
    assertThat(
        server.stderr() + "\n" + server.stdout(),
        List.copyOf(server.stderr()),
        hasItem("qkms: stopped"));
    assertThat(
        server.stdout().stream().filter(l -> l.contains(" ReEncrypt ")).findFirst().orElse(""),
        matchesPattern(
            "\\S+Z [0-9a-f-]{36} 127\\.0\\.0\\.1:\\d+ ReEncrypt arn:verenc:111122223333:root 200"
                + " - \\d+\\.\\d\\dms"));
    JsonNode described =
        JSON.readTree(
            InProcess.ok(Map.of(), "describe-key", "--keystore", ks.toString(), "--key-id", keyId));
    assertThat(described.get("KeyMetadata").get("Description").asText(), equalTo("via serve"));
  }

  @Test
  void accessKeyCreatedWhileServing_isRecognised_andDeletedOneIsRefused() throws Exception {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    ServeProcess server = ServeProcess.start(ks);
    try {
      JsonNode alice = InProcess.createAccessKey(ks, "arn:verenc:111122223333:user/alice");
      Path file = dir.resolve("alice-credentials");
      CredentialsFile.write(
          file, "qkms", alice.get("AccessKeyId").asText(), alice.get("SecretAccessKey").asText());
      try (KmsClient kms = SdkClients.withProfile(server.endpoint(), file)) {
        // Recognised at once: alice may call, but the default key policy lets only the root in.
        assertThat(kms.listKeys().sdkHttpResponse().statusCode(), equalTo(200));

        InProcess.ok(
            Map.of(),
            "delete-access-key",
            "--keystore",
            ks.toString(),
            "--access-key-id",
            alice.get("AccessKeyId").asText());
        // The server rereads the store within a second; until then the key may still work.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        KmsException refused = null;
        while (refused == null && System.nanoTime() < deadline) {
          try {
            kms.listKeys();
            Thread.sleep(50);
          } catch (KmsException e) {
            refused = e;
          }
        }
        assertThat(String.valueOf(refused), refused != null, equalTo(true));
        assertThat(refused.awsErrorDetails().errorCode(), equalTo("UnrecognizedClientException"));
      }
    } finally {
      server.process().toHandle().destroy();
      server.exit();
    }
  }

  @Test
  void serve_portInUse_failsWithExit255() throws Exception {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      CliProcess.Result r =
          CliProcess.qkms(
              Map.of(),
              "serve",
              "--keystore",
              ks.toString(),
              "--port",
              String.valueOf(taken.getLocalPort()));

      assertThat(r.toString(), r.status(), equalTo(255));
      assertThat(
          r.stderr(),
          containsString("qkms: cannot serve on 127.0.0.1:" + taken.getLocalPort() + ": "));
    }
  }
}
