package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The command line's own operations on a store are audited as {@code qkms serve}'s calls are: in
 * the same trail and chain, while a server writes to it, and refused when the trail cannot be
 * written.
 */
@Timeout(240)
class CliAuditTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLAINTEXT = "c2VjcmV0LWNsaS1wbGFpbnRleHQ="; // secret-cli-plaintext

  @TempDir Path tmp;

  /** Each test's own initialised store, and the environment that names it. */
  private Path ks;

  private Map<String, String> env;

  @BeforeEach
  void initStore() {
    ks = tmp.resolve("ks");
    InProcess.init(ks);
    env = Map.of(Invocation.KEYSTORE_ENV, ks.toString());
  }

  @Test
  void aConcurrentCliWriterAndAServingServer_bothAuditIntoOneIntactChain() throws Exception {
    String keyId = InProcess.createKey(env);
    ServeProcess server = ServeProcess.start(ks);
    int serverCalls = 30;
    int cliCalls = 1; // the create-key above
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (KmsClient kms = SdkClients.withProfile(server.endpoint(), ks.resolve("credentials"))) {
      CountDownLatch start = new CountDownLatch(1);
      Future<?> sdk =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < serverCalls; i++) {
                  kms.encrypt(
                      r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("from the server")));
                }
                return null;
              });
      // A command line in its own JVM, as scripts/qkms runs it, at the same time.
      Future<CliProcess.Result> ownJvm =
          pool.submit(
              () -> {
                start.await();
                return CliProcess.qkms(env, "create-key", "--description", "own-jvm");
              });
      start.countDown();
      for (int i = 0; i < 8; i++) {
        InProcess.encrypt(env, keyId, PLAINTEXT, "Dept=Finance");
        InProcess.ok(env, "describe-key", "--key-id", keyId);
        cliCalls += 2;
      }
      sdk.get(120, TimeUnit.SECONDS);
      CliProcess.Result own = ownJvm.get(120, TimeUnit.SECONDS);
      assertThat(own.toString(), own.status(), is(0));
      cliCalls++;
    } finally {
      pool.shutdownNow();
      server.stop();
    }

    CliProcess.Result verify = InProcess.qkms(env, "audit", "verify");
    assertThat(verify.toString(), verify.status(), is(0));
    assertThat(verify.stdout(), containsString("intact"));
    List<JsonNode> lines = lines(env);
    List<JsonNode> cli = bySource(lines, CliAudit.SOURCE);
    List<JsonNode> served = bySource(lines, "127.0.0.1");
    assertThat(cli.size(), is(cliCalls));
    assertThat(served.size(), is(serverCalls));
    assertThat(lines.size(), is(cliCalls + serverCalls));
    JsonNode encrypt =
        cli.stream().filter(e -> e.path("eventName").asText().equals("Encrypt")).findFirst().get();
    assertThat(encrypt.path("principalArn").asText(), equalTo("arn:verenc:111122223333:root"));
    assertThat(encrypt.path("userAgent").asText(), startsWith("qkms-cli/"));
    assertThat(encrypt.path("awsRegion").asText(), equalTo("us-east-1"));
    assertThat(
        encrypt.path("requestParameters").path("EncryptionContext").path("Dept").asText(),
        equalTo("Finance"));
    assertThat(
        encrypt.path("resources").get(0).asText(), equalTo("arn:verenc:111122223333:key/" + keyId));
    assertThat(encrypt.toString(), not(containsString(PLAINTEXT)));
    List<String> names = cli.stream().map(e -> e.path("eventName").asText()).toList();
    assertThat(names, hasItem("CreateKey"));
    assertThat(names, hasItem("DescribeKey"));
  }

  @Test
  void aCliCallAGrantAllowed_namesTheGrantInItsLine() throws Exception {
    String keyId = InProcess.createKey(env);
    String alice = "arn:verenc:111122223333:user/alice";
    String grantId =
        InProcess.ok(
            env,
            "create-grant",
            "--key-id",
            keyId,
            "--grantee-principal",
            alice,
            "--operations",
            "Encrypt",
            "--query",
            "GrantId",
            "--output",
            "text");
    InProcess.ok(env, "encrypt", "--key-id", keyId, "--plaintext", PLAINTEXT, "--principal", alice);
    CliProcess.Result denied =
        InProcess.qkms(env, "describe-key", "--key-id", keyId, "--principal", alice);
    assertThat(denied.toString(), denied.status(), is(Qkms.API_ERROR));

    List<JsonNode> lines = lines(env);
    JsonNode encrypt = lines.get(2);
    assertThat(encrypt.path("eventName").asText(), equalTo("Encrypt"));
    assertThat(encrypt.path("principalArn").asText(), equalTo(alice));
    assertThat(
        encrypt.path("additionalEventData").path("grantIds").toString(),
        equalTo("[\"" + grantId + "\"]"));
    assertThat(lines.get(3).path("errorCode").asText(), equalTo("AccessDeniedException"));
    assertThat(lines.get(3).has("additionalEventData"), is(false));
  }

  @Test
  void serveWithAuditDirNone_servesWithoutATrail() throws Exception {
    ServeProcess server = ServeProcess.start(ks, "--audit-dir", "none");
    try (KmsClient kms = SdkClients.withProfile(server.endpoint(), ks.resolve("credentials"))) {
      kms.createKey(r -> r.description("unaudited"));
    } finally {
      server.stop();
    }
    assertThat(Files.exists(ks.resolve("audit")), is(false));
    assertThat(Files.exists(ks.resolve("none")), is(false));
    assertThat(Files.exists(Path.of("none")), is(false));
  }

  @Test
  void accessKeysCreatedAndDeleted_areAuditedWithoutTheirSecret() throws Exception {
    JsonNode key = InProcess.createAccessKey(ks, "arn:verenc:111122223333:user/alice");
    String id = key.path("AccessKeyId").asText();
    InProcess.ok(env, "delete-access-key", "--access-key-id", id);
    CliProcess.Result again = InProcess.qkms(env, "delete-access-key", "--access-key-id", id);
    assertThat(again.toString(), again.status(), is(Qkms.API_ERROR));

    List<JsonNode> lines = lines(env);
    assertThat(
        lines.stream().map(e -> e.path("eventName").asText()).toList(),
        equalTo(List.of("CreateAccessKey", "DeleteAccessKey", "DeleteAccessKey")));
    assertThat(
        lines.get(0).path("requestParameters").path("Principal").asText(),
        equalTo("arn:verenc:111122223333:user/alice"));
    assertThat(
        lines.stream().map(e -> e.path("requestParameters").path("AccessKeyId").asText()).toList(),
        everyItem(equalTo(id)));
    assertThat(lines.get(2).path("errorCode").asText(), equalTo("NoSuchEntityException"));
    String all = lines.toString();
    assertThat(all, not(containsString(key.path("SecretAccessKey").asText())));
    assertThat(InProcess.qkms(env, "audit", "verify").status(), is(0));
  }

  @Test
  void aReadOnlyAuditDirectory_refusesTheCommandBeforeItRuns_unlessToldToLog() throws Exception {
    InProcess.createKey(env);
    Path audit = ks.resolve("audit");
    ReadOnly readOnly = ReadOnly.make(audit);
    try {
      CliProcess.Result refused = InProcess.qkms(env, "create-key", "--description", "refused");
      assertThat(refused.toString(), refused.status(), is(Qkms.FAILURE));
      assertThat(refused.stderr(), containsString("Cannot write the audit trail in " + audit));
      assertThat(refused.stderr(), containsString("nothing was done"));
      assertThat(refused.stdout(), equalTo(""));

      CliProcess.Result listed = InProcess.qkms(env, "list-keys", "--audit-failure", "log");
      assertThat(listed.toString(), listed.status(), is(0));
      assertThat(listed.stderr(), containsString("warning: cannot write the audit trail"));
      assertThat(JSON.readTree(listed.stdout()).path("Keys").size(), is(1)); // nothing created

      CliProcess.Result logged =
          InProcess.qkms(env, "create-key", "--description", "logged", "--audit-failure", "log");
      assertThat(logged.toString(), logged.status(), is(0));
      assertThat(
          JSON.readTree(InProcess.ok(env, "list-keys", "--audit-failure", "log"))
              .path("Keys")
              .size(),
          is(2));

      CliProcess.Result bad = InProcess.qkms(env, "list-keys", "--audit-failure", "ignore");
      assertThat(bad.status(), is(Qkms.USAGE));
      assertThat(bad.stderr(), containsString("--audit-failure must be refuse or log"));
    } finally {
      readOnly.undo();
    }
    // The unaudited commands left no line and no gap: the trail is intact, one line long.
    assertThat(InProcess.qkms(env, "audit", "verify").status(), is(0));
    assertThat(lines(env).size(), is(1));
  }

  /**
   * Makes a directory and its files read-only (mode a-w); for root, whom modes do not stop, also
   * immutable ({@code chattr +i}).
   */
  private record ReadOnly(Path dir, List<Path> files, boolean immutable) {
    static ReadOnly make(Path dir) throws Exception {
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.toList();
      }
      for (Path f : files) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
      boolean root = "root".equals(System.getProperty("user.name"));
      if (root) {
        List<String> cmd = new ArrayList<>(List.of("chattr", "+i"));
        files.forEach(f -> cmd.add(f.toString()));
        cmd.add(dir.toString());
        run(cmd);
      }
      assertThat("the test could not make " + dir + " read-only", Files.isWritable(dir), is(false));
      return new ReadOnly(dir, files, root);
    }

    void undo() throws Exception {
      if (immutable) {
        List<String> cmd = new ArrayList<>(List.of("chattr", "-i", dir.toString()));
        files.forEach(f -> cmd.add(f.toString()));
        run(cmd);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      for (Path f : files) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
      }
    }

    private static void run(List<String> cmd) throws Exception {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS), is(true));
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(cmd + ": " + out, p.exitValue(), is(0));
    }
  }

  private static List<JsonNode> lines(Map<String, String> env) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : InProcess.ok(env, "audit", "query", "--json").split("\n")) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  private static List<JsonNode> bySource(List<JsonNode> lines, String source) {
    return lines.stream().filter(e -> e.path("sourceIPAddress").asText().equals(source)).toList();
  }
}
