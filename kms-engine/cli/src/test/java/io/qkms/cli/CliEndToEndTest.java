package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end, each checked call in its own JVM as a user's shell runs it: exit
 * status, stdout, and the error JSON on stderr. Set-up steps run in this JVM (same code, same store
 * on disk) to keep the suite quick.
 */
class CliEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "111122223333";

  /** The grant token of the API page's request syntax: well-formed, but of no grant here. */
  private static final String API_PAGE_GRANT_TOKEN =
      "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4";

  @TempDir static Path shared;
  static Map<String, String> env;
  static String keyA;
  static String keyB;
  static String blobA; // "hello" under key A with Department=Finance

  @TempDir Path dir;

  @BeforeAll
  static void sharedStore() {
    env = Map.of("QKMS_KEYSTORE", shared.resolve("ks").toString());
    InProcess.ok(env, "init");
    keyA = newKey();
    keyB = newKey();
    blobA = InProcess.encrypt(env, keyA, "aGVsbG8=", "Department=Finance");
  }

  // ---- The whole flow, every step a separate process -----------------------------------

  @Test
  void initCreateEncryptReEncryptDecrypt_eachStepInItsOwnProcess() throws IOException {
    Path ks = dir.resolve("ks");
    Map<String, String> none = Map.of();

    CliProcess.Result init =
        CliProcess.qkms(
            none,
            "init",
            "--keystore",
            ks.toString(),
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1");
    assertThat(init.toString(), init.status(), equalTo(0));
    JsonNode where = JSON.readTree(init.stdout());
    assertThat(where.get("KeyStore").asText(), equalTo(ks.toString()));
    assertThat(where.get("RootKeyFile").asText(), equalTo(ks.resolve("root.key").toString()));

    String source = step(ks, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text");
    String destination = step(ks, "create-key", "--query", "KeyMetadata.KeyId", "--output", "text");
    String grantToken =
        step(
            ks,
            "create-grant",
            "--key-id",
            source,
            "--grantee-principal",
            "arn:verenc:" + ACCOUNT + ":root",
            "--operations",
            "ReEncryptFrom",
            "Decrypt",
            "--query",
            "GrantToken",
            "--output",
            "text");
    String blob =
        step(
            ks,
            "encrypt",
            "--key-id",
            source,
            "--plaintext",
            "hello world",
            "--cli-binary-format",
            "raw-in-base64-out",
            "--encryption-context",
            "Department=Finance",
            "--query",
            "CiphertextBlob",
            "--output",
            "text");

    // The request syntax of the API page, member for member.
    ObjectNode request = JSON.createObjectNode();
    request.put("CiphertextBlob", blob);
    request.put("SourceKeyId", source);
    request.put("DestinationKeyId", destination);
    request.putObject("SourceEncryptionContext").put("Department", "Finance");
    request.putObject("DestinationEncryptionContext").put("Purpose", "Test");
    request.put("SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    request.put("DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    request.putArray("GrantTokens").add(grantToken);
    Path requestFile = dir.resolve("request.json");
    Files.writeString(
        requestFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(request));
    JsonNode response =
        JSON.readTree(step(ks, "re-encrypt", "--cli-input-json", "file://" + requestFile));

    assertThat(response.get("KeyId").asText(), equalTo(arn(destination)));
    assertThat(response.get("SourceKeyId").asText(), equalTo(arn(source)));
    assertThat(response.get("SourceEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(
        response.get("DestinationEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    Path newBlob = dir.resolve("new.bin");
    Files.write(newBlob, Base64.getDecoder().decode(response.get("CiphertextBlob").asText()));
    String plaintext =
        step(
            ks,
            "decrypt",
            "--ciphertext-blob",
            "fileb://" + newBlob,
            "--encryption-context",
            "Purpose=Test",
            "--query",
            "Plaintext",
            "--output",
            "text");
    assertThat(
        new String(Base64.getDecoder().decode(plaintext), StandardCharsets.UTF_8),
        equalTo("hello world"));
  }

  @Test
  void init_writesAnOwnerOnlyRootKeyAndRefusesToOverwrite() throws IOException {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    byte[] before = Files.readAllBytes(ks.resolve("store.qks"));

    CliProcess.Result again = CliProcess.qkms(Map.of(), "init", "--keystore", ks.toString());

    assertThat(again.toString(), again.status(), equalTo(255));
    assertThat(
        again.stderr(),
        equalTo("qkms: A key store already exists in " + ks + "; QKMS will not overwrite it\n"));
    assertThat(again.stdout(), emptyString());
    assertThat(Files.readAllBytes(ks.resolve("store.qks")), equalTo(before));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(ks.resolve("root.key"))),
        equalTo("rw-------"));
  }

  // ---- API errors: exit 254, {"__type": ..., "message": ...} on stderr -------------------

  @Test
  void encrypt_disabledKey_isDisabledException() {
    String key = newKey();
    InProcess.ok(env, "disable-key", "--key-id", key);

    CliProcess.Result r = CliProcess.qkms(env, "encrypt", "--key-id", key, "--plaintext", "aGk=");

    assertApiError(r, "DisabledException", arn(key) + " is disabled.");
  }

  @Test
  void decrypt_wrongContext_isInvalidCiphertextException() {
    CliProcess.Result r =
        CliProcess.qkms(
            env, "decrypt", "--ciphertext-blob", blobA, "--encryption-context", "Department=HR");

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(r.stderr(), equalTo("{\"__type\": \"InvalidCiphertextException\"}\n"));
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void reEncrypt_sourceKeyIdOfAnotherKey_isIncorrectKeyException() {
    CliProcess.Result r = reEncryptBlobA(keyB, "--source-key-id", keyB);

    assertApiError(
        r,
        "IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.");
  }

  @Test
  void encrypt_keyPendingDeletion_isKMSInvalidStateException() {
    String key = newKey();
    InProcess.ok(env, "schedule-key-deletion", "--key-id", key, "--pending-window-in-days", "7");

    CliProcess.Result r = CliProcess.qkms(env, "encrypt", "--key-id", key, "--plaintext", "aGk=");

    assertApiError(r, "KMSInvalidStateException", arn(key) + " is pending deletion.");
  }

  @Test
  void describeKey_unknownAlias_isNotFoundException() {
    CliProcess.Result r = CliProcess.qkms(env, "describe-key", "--key-id", "alias/nothing-here");

    assertApiError(
        r,
        "NotFoundException",
        "Alias arn:verenc:" + ACCOUNT + ":alias/nothing-here is not found.");
  }

  @Test
  void reEncrypt_grantTokenOfNoGrant_isInvalidGrantTokenException() {
    CliProcess.Result r = reEncryptBlobA(keyB, "--grant-tokens", API_PAGE_GRANT_TOKEN);

    assertApiError(
        r, "InvalidGrantTokenException", "The grant token does not belong to a live grant.");
  }

  @Test
  void reEncrypt_dryRun_isDryRunOperationException() {
    CliProcess.Result r = reEncryptBlobA(keyB, "--dry-run");

    assertApiError(
        r,
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.");
  }

  @Test
  void reEncrypt_toAnHmacKey_isInvalidKeyUsageException() {
    String hmac =
        InProcess.ok(
            env,
            "create-key",
            "--key-spec",
            "HMAC_256",
            "--key-usage",
            "GENERATE_VERIFY_MAC",
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text");

    CliProcess.Result r = reEncryptBlobA(hmac);

    assertApiError(
        r,
        "InvalidKeyUsageException",
        arn(hmac) + " key usage is GENERATE_VERIFY_MAC which is not valid for ReEncrypt.");
  }

  // ---- Bad usage: exit 252 with a usage hint --------------------------------------------

  @Test
  void unknownOption_isUsageErrorWithAHint() {
    CliProcess.Result r = CliProcess.qkms(env, "list-keys", "--frobnicate");

    assertUsageError(r, "Unknown option: '--frobnicate'");
  }

  @Test
  void missingRequiredOption_isUsageError() {
    CliProcess.Result r = CliProcess.qkms(env, "encrypt", "--key-id", keyA);

    assertUsageError(r, "the following arguments are required: --plaintext");
  }

  @Test
  void optionWithoutItsValue_isUsageError() {
    CliProcess.Result r = CliProcess.qkms(env, "describe-key", "--key-id");

    assertUsageError(r, "Missing required parameter for option '--key-id' (<value>)");
  }

  @Test
  void unknownCommand_isUsageError() {
    CliProcess.Result r = CliProcess.qkms(env, "frobnicate-key");

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr(), containsString("qkms: error: Unmatched argument at index 0: 'frobnicate-key'"));
  }

  // ---- Other failures: exit 255, one clear line, no stack trace ---------------------------

  @Test
  void wrongRootKeyFile_isAOneLineFailure() throws IOException {
    Path other = dir.resolve("other.key");
    Files.write(other, new byte[32]);
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-------"));

    CliProcess.Result r = CliProcess.qkms(env, "list-keys", "--root-key-file", other.toString());

    assertOneLineFailure(
        r,
        "The root key "
            + other
            + " does not open the key store in "
            + shared.resolve("ks")
            + " (or the store's header was modified)");
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void missingStore_isAOneLineFailure() {
    Path nowhere = dir.resolve("nowhere");

    CliProcess.Result r = CliProcess.qkms(Map.of(), "list-keys", "--keystore", nowhere.toString());

    assertOneLineFailure(
        r,
        "No QKMS key store in " + nowhere + " (run `qkms init --keystore " + nowhere + "` first)");
  }

  @Test
  void tamperedStore_isAOneLineFailureAndTheFileIsLeftAsItWas() throws IOException {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    Path file = ks.resolve("store.qks");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);

    CliProcess.Result r = CliProcess.qkms(Map.of(), "list-keys", "--keystore", ks.toString());

    assertOneLineFailure(
        r, file + " was modified or damaged: it does not authenticate under this store's root key");
    assertThat(Files.readAllBytes(file), equalTo(bytes));
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static String newKey() {
    return InProcess.createKey(env);
  }

  private static String arn(String keyId) {
    return "arn:verenc:" + ACCOUNT + ":key/" + keyId;
  }

  /** Runs one step of a flow in its own process; it must succeed. Returns stdout, stripped. */
  private static String step(Path ks, String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--keystore";
    all[args.length + 1] = ks.toString();
    CliProcess.Result r = CliProcess.qkms(Map.of(), all);
    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stderr(), emptyString());
    return r.out();
  }

  /**
   * {@code re-encrypt} of blob A, with its right context, to {@code destination}; then {@code
   * more}.
   */
  private static CliProcess.Result reEncryptBlobA(String destination, String... more) {
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "re-encrypt",
            "--ciphertext-blob",
            blobA,
            "--destination-key-id",
            destination,
            "--source-encryption-context",
            "Department=Finance"));
    args.addAll(List.of(more));
    return CliProcess.qkms(env, args.toArray(String[]::new));
  }

  private static void assertApiError(CliProcess.Result r, String type, String message) {
    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        equalTo("{\"__type\": \"" + type + "\", \"message\": " + quoted(message) + "}\n"));
    assertThat(r.stdout(), emptyString());
  }

  /** Exit 255 and the one line {@code qkms: <message>} on stderr. */
  private static void assertOneLineFailure(CliProcess.Result r, String message) {
    assertThat(r.toString(), r.status(), equalTo(255));
    assertThat(r.stderr(), equalTo("qkms: " + message + "\n"));
  }

  private static void assertUsageError(CliProcess.Result r, String message) {
    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(r.stderr(), containsString("usage: qkms <command> [options]"));
    assertThat(r.stderr(), containsString("  qkms <command> --help"));
    assertThat(r.stderr(), matchesPattern("(?s).*\nqkms: error: \\Q" + message + "\\E\n"));
    assertThat(r.stderr(), not(containsString("\tat ")));
    assertThat(r.stdout(), emptyString());
  }

  private static String quoted(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
