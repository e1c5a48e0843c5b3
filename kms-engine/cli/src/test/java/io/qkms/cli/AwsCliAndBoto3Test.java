package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.cli.AwsClients.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real AWS CLI and boto3, unchanged, against {@code qkms serve} with nothing but the
 * credentials file {@code qkms init} wrote: README's walk-through, and the error each ReEncrypt
 * failure shows a CLI user. {@code .ci/run} installs both from Debian ({@code awscli}, {@code
 * python3-boto3}); where they are missing these tests are skipped, saying so, except under CI
 * ({@code CI=true}), where they fail.
 */
@Timeout(300)
class AwsCliAndBoto3Test {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "111122223333";
  private static final String CONTEXT = "Department=Finance";
  private static final byte[] PLAINTEXT =
      "card 4111 1111 1111 1111".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static Path ks;
  private static ServeProcess server;
  private static Path card; // PLAINTEXT under alias/payroll with CONTEXT, made by the CLI
  private static String payrollKeyArn;
  private static String rootAccessKeyId; // the key init wrote to the credentials file
  private static AwsClients clients;

  @BeforeAll
  static void start() throws Exception {
    ks = dir.resolve("ks");
    rootAccessKeyId = JSON.readTree(InProcess.init(ks)).get("AccessKeyId").asText();
    server = ServeProcess.start(ks);
    clients = new AwsClients(dir, ks.resolve("credentials"));
    if (AwsClients.awsCli() == null) {
      return;
    }
    payrollKeyArn =
        ok(
            "kms",
            "create-key",
            "--description",
            "payroll",
            "--query",
            "KeyMetadata.Arn",
            "--output",
            "text");
    ok("kms", "create-alias", "--alias-name", "alias/payroll", "--target-key-id", payrollKeyArn);
    Files.write(dir.resolve("card.txt"), PLAINTEXT);
    card = dir.resolve("card.enc");
    Files.write(
        card,
        base64(
            ok(
                "kms",
                "encrypt",
                "--key-id",
                "alias/payroll",
                "--plaintext",
                "fileb://" + dir.resolve("card.txt"),
                "--encryption-context",
                CONTEXT,
                "--query",
                "CiphertextBlob",
                "--output",
                "text")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      assertThat(server.stop(), equalTo(143));
    }
  }

  private static Run aws(Map<String, String> env, String... args) throws Exception {
    return clients.aws(server.endpoint(), env, args);
  }

  private static String ok(String... args) throws Exception {
    Run r = aws(Map.of(), args);
    if (r.status() != 0) {
      throw new AssertionError("aws " + String.join(" ", args) + " failed: " + r);
    }
    return r.stdout();
  }

  private static byte[] base64(String text) {
    return Base64.getDecoder().decode(text.strip());
  }

  private static String newKey(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("kms", "create-key"));
    args.addAll(List.of(extra));
    args.addAll(List.of("--query", "KeyMetadata.KeyId", "--output", "text"));
    return ok(args.toArray(String[]::new));
  }

  /** The arguments of {@code aws kms re-encrypt} of the card (made under CONTEXT), then more. */
  private static String[] reEncryptCard(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "kms",
                "re-encrypt",
                "--ciphertext-blob",
                "fileb://" + card,
                "--source-encryption-context",
                CONTEXT));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void readmeWalkThrough_reEncryptsUnderANewKey_andDecryptsToThePlaintext() throws Exception {
    String next = newKey("--description", "payroll-2026");

    JsonNode reEncrypted =
        JSON.readTree(
            ok(
                reEncryptCard(
                    "--destination-key-id", next, "--destination-encryption-context", CONTEXT)));
    Path moved = dir.resolve("card.enc.new");
    Files.write(moved, base64(reEncrypted.get("CiphertextBlob").asText()));
    String plaintext =
        ok(
            "kms",
            "decrypt",
            "--ciphertext-blob",
            "fileb://" + moved,
            "--encryption-context",
            CONTEXT,
            "--query",
            "Plaintext",
            "--output",
            "text");

    assertThat(reEncrypted.get("SourceKeyId").asText(), equalTo(payrollKeyArn));
    assertThat(
        reEncrypted.get("KeyId").asText(), equalTo("arn:verenc:" + ACCOUNT + ":key/" + next));
    assertThat(reEncrypted.get("SourceEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(base64(plaintext), equalTo(PLAINTEXT));
  }

  /**
   * A ReEncrypt under the right source context that {@code option value} makes fail with {@code
   * errorCode}.
   */
  private static Arguments refusedWith(
      String cause, String errorCode, String option, String value) {
    return Arguments.of(
        cause, errorCode, List.of("--source-encryption-context", CONTEXT, option, value));
  }

  /** A ReEncrypt the server must refuse: what makes it fail, and the error the user sees. */
  static Stream<Arguments> refusedReEncrypts() {
    return Stream.of(
        Arguments.of(
            "wrong encryption context",
            "InvalidCiphertextException",
            List.of("--source-encryption-context", "Department=Sales")),
        refusedWith(
            "SourceKeyId not the key of the blob",
            "IncorrectKeyException",
            "--source-key-id",
            "NEW_KEY"),
        refusedWith(
            "destination alias that does not exist",
            "NotFoundException",
            "--destination-key-id",
            "alias/nope"),
        refusedWith(
            "destination key disabled", "DisabledException", "--destination-key-id", "DISABLED"),
        refusedWith(
            "destination key pending deletion",
            "KMSInvalidStateException",
            "--destination-key-id",
            "PENDING"),
        refusedWith(
            "destination key an HMAC key",
            "InvalidKeyUsageException",
            "--destination-key-id",
            "HMAC"),
        refusedWith(
            "a grant token that is no token",
            "InvalidGrantTokenException",
            "--grant-tokens",
            "not-a-token"),
        refusedWith(
            "an unknown encryption algorithm",
            "ValidationException",
            "--destination-encryption-algorithm",
            "BOGUS"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedReEncrypts")
  void reEncrypt_refused_cliShowsTheErrorCode_andExits254(
      String cause, String errorCode, List<String> options) throws Exception {
    Map<String, String> keys = new HashMap<>();
    if (options.contains("NEW_KEY")) {
      keys.put("NEW_KEY", newKey());
    }
    if (options.contains("DISABLED")) {
      keys.put("DISABLED", newKey());
      ok("kms", "disable-key", "--key-id", keys.get("DISABLED"));
    }
    if (options.contains("PENDING")) {
      keys.put("PENDING", newKey());
      ok(
          "kms",
          "schedule-key-deletion",
          "--key-id",
          keys.get("PENDING"),
          "--pending-window-in-days",
          "7");
    }
    if (options.contains("HMAC")) {
      keys.put("HMAC", newKey("--key-spec", "HMAC_256", "--key-usage", "GENERATE_VERIFY_MAC"));
    }
    List<String> args =
        new ArrayList<>(List.of("kms", "re-encrypt", "--ciphertext-blob", "fileb://" + card));
    if (!options.contains("--destination-key-id")) {
      args.addAll(List.of("--destination-key-id", "alias/payroll"));
    }
    options.forEach(o -> args.add(keys.getOrDefault(o, o)));

    Run r = aws(Map.of(), args.toArray(String[]::new));

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        containsString(
            "An error occurred (" + errorCode + ") when calling the ReEncrypt operation"));
    assertThat(r.stdout(), equalTo(""));
  }

  @Test
  void reEncrypt_byAPrincipalTheKeyPolicyDoesNotAllow_isAccessDenied() throws Exception {
    JsonNode alice = InProcess.createAccessKey(ks, "arn:verenc:" + ACCOUNT + ":user/alice");
    Map<String, String> asAlice =
        Map.of(
            "AWS_PROFILE", "",
            "AWS_ACCESS_KEY_ID", alice.get("AccessKeyId").asText(),
            "AWS_SECRET_ACCESS_KEY", alice.get("SecretAccessKey").asText());

    Run r = aws(asAlice, reEncryptCard("--destination-key-id", "alias/payroll"));

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        containsString(
            "An error occurred (AccessDeniedException) when calling the ReEncrypt operation: User:"
                + " arn:verenc:"
                + ACCOUNT
                + ":user/alice is not authorized to perform: kms:ReEncryptFrom"));
  }

  /** How a request fails to authenticate, and what the CLI shows for it. */
  static Stream<Arguments> unauthenticated() {
    return Stream.of(
        Arguments.of("unsigned", "MissingAuthenticationTokenException", "--no-sign-request"),
        Arguments.of("scoped to a region the store lacks", "InvalidSignatureException", "REGION"),
        Arguments.of("signed with a wrong secret", "InvalidSignatureException", "WRONG_SECRET"),
        Arguments.of("an unknown access key", "UnrecognizedClientException", "UNKNOWN_KEY"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unauthenticated")
  void listKeys_notAuthenticated_cliShowsTheErrorCode(String cause, String errorCode, String how)
      throws Exception {
    Map<String, String> env = new HashMap<>();
    List<String> args = new ArrayList<>(List.of("kms", "list-keys"));
    switch (how) {
      case "REGION" -> args.addAll(List.of("--region", "eu-west-1"));
      case "WRONG_SECRET" ->
          env.putAll(
              Map.of(
                  "AWS_PROFILE", "",
                  "AWS_ACCESS_KEY_ID", rootAccessKeyId,
                  "AWS_SECRET_ACCESS_KEY", "not-the-secret-of-this-key"));
      case "UNKNOWN_KEY" ->
          env.putAll(
              Map.of(
                  "AWS_PROFILE", "",
                  "AWS_ACCESS_KEY_ID", "AKIAAAAAAAAAAAAAAAAA",
                  "AWS_SECRET_ACCESS_KEY", "whatever"));
      default -> args.add(how);
    }

    Run r = aws(env, args.toArray(String[]::new));

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        containsString(
            "An error occurred (" + errorCode + ") when calling the ListKeys operation"));
  }

  @Test
  void boto3_readmeSnippet_reEncryptsAndDecrypts_andRaisesModelledExceptions() throws Exception {
    String disabled = newKey();
    ok("kms", "disable-key", "--key-id", disabled);

    Run r = clients.python(BOTO3_SCRIPT, Map.of(), server.endpoint().toString(), disabled);

    assertThat(r.toString(), r.status(), equalTo(0));
    JsonNode result = JSON.readTree(r.stdout());
    assertThat(
        result.get("plaintext").asText(), equalTo(new String(PLAINTEXT, StandardCharsets.UTF_8)));
    assertThat(result.get("keyId").asText(), equalTo(payrollKeyArn));
    assertThat(result.get("wrongContext").asText(), equalTo("InvalidCiphertextException"));
    assertThat(result.get("disabled").asText(), equalTo("DisabledException"));
  }

  /** README's boto3 snippet, plus the exception classes botocore models for two failures. */
  private static final String BOTO3_SCRIPT =
      """
      import json, sys
      import boto3

      endpoint, disabled = sys.argv[1], sys.argv[2]
      kms = boto3.Session(profile_name="qkms").client(
          "kms", endpoint_url=endpoint, region_name="us-east-1")
      context = {"Department": "Finance"}
      blob = kms.encrypt(KeyId="alias/payroll", Plaintext=b"card 4111 1111 1111 1111",
                         EncryptionContext=context)["CiphertextBlob"]
      new_blob = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=context,
                                DestinationKeyId="alias/payroll",
                                DestinationEncryptionContext=context)["CiphertextBlob"]
      decrypted = kms.decrypt(CiphertextBlob=new_blob, EncryptionContext=context)
      result = {"plaintext": decrypted["Plaintext"].decode(), "keyId": decrypted["KeyId"]}
      try:
          kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId="alias/payroll")
      except kms.exceptions.InvalidCiphertextException as e:
          result["wrongContext"] = type(e).__name__
      try:
          kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext=context,
                         DestinationKeyId=disabled)
      except kms.exceptions.DisabledException as e:
          result["disabled"] = type(e).__name__
      print(json.dumps(result))
      """;
}
