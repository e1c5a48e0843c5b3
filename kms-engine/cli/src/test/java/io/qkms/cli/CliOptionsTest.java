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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, defaults and output of the command line, run in this JVM (quick). */
class CliOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCOUNT = "111122223333";

  @TempDir static Path shared;
  static Map<String, String> env;
  static String key;

  @TempDir Path dir;

  @BeforeAll
  static void store() {
    env = Map.of("QKMS_KEYSTORE", shared.resolve("ks").toString());
    InProcess.ok(env, "init", "--region", "us-east-1", "--region", "eu-west-1");
    key = InProcess.createKey(env);
  }

  @Test
  void help_ofEveryCommand_listsItsOptionsAndExitsZero() {
    List<String> problems = new ArrayList<>();
    for (CommandTable.Command op : CommandTable.all()) {
      CliProcess.Result r = InProcess.qkms(Map.of(), op.command(), "--help");
      if (r.status() != 0 || !r.stdout().contains("Usage: qkms " + op.command())) {
        problems.add(op.command() + ": " + r);
      }
      for (CommandTable.Member m : op.members()) {
        // Booleans show as --[no-]dry-run: --dry-run and --no-dry-run, as in the AWS CLI.
        String shown =
            m.kind() == CommandTable.Kind.BOOLEAN
                ? "--[no-]" + m.option().substring(2)
                : m.option();
        if (!r.stdout().contains(shown)) {
          problems.add(op.command() + " lacks " + m.option());
        }
      }
    }
    CliProcess.Result init = InProcess.qkms(Map.of(), "init", "--help");
    if (init.status() != 0 || !init.stdout().contains("--root-key-file")) {
      problems.add("init: " + init);
    }

    assertThat(problems.toString(), problems, equalTo(List.of()));
  }

  @Test
  void help_ofTheRoot_listsEveryCommand() {
    CliProcess.Result r = InProcess.qkms(Map.of(), "--help");

    assertThat(r.status(), equalTo(0));
    for (CommandTable.Command op : CommandTable.all()) {
      assertThat(r.stdout(), containsString("\n  " + op.command() + " "));
    }
  }

  @Test
  void noCommand_isUsageError() {
    CliProcess.Result r = InProcess.qkms(Map.of());

    assertThat(r.status(), equalTo(252));
    assertThat(
        r.stderr(), containsString("qkms: error: the following arguments are required: <command>"));
  }

  @Test
  void everyCommand_reachesItsApiOperation() throws IOException {
    // Each operation with its required members present: whatever the engine answers, it must
    // be the operation's own answer, not an unknown target or an unreadable request.
    List<String> problems = new ArrayList<>();
    for (CommandTable.Command op : CommandTable.all()) {
      ObjectNode request = JSON.createObjectNode();
      for (CommandTable.Member m : op.members()) {
        if (op.required().contains(m.name())) {
          switch (m.kind()) {
            case BLOB -> request.put(m.name(), "AAAA");
            case STRING_LIST -> request.putArray(m.name()).add("Encrypt");
            default -> request.put(m.name(), m.name().equals("Policy") ? "{}" : "alias/none");
          }
        }
      }
      CliProcess.Result r =
          InProcess.qkms(env, op.command(), "--cli-input-json", request.toString());
      if (r.status() != 0 && r.status() != 254
          || r.stderr().contains("UnknownOperationException")
          || r.stderr().contains("SerializationException")
          || r.stderr().contains("KMSInternalException")) {
        problems.add(op.command() + ": " + r);
      }
    }

    assertThat(problems.toString(), problems, equalTo(List.of()));
  }

  @Test
  void reEncryptHelpsExample_keepsTheEncryptionContext_onTheNewCiphertext() throws IOException {
    String help = InProcess.ok(Map.of(), "re-encrypt", "--help");
    assertThat(help, containsString("--source-encryption-context Department=Finance \\\n"));
    assertThat(help, containsString("--destination-encryption-context Department=Finance \\\n"));

    // The example as written, on a store with the keys it names.
    String next = InProcess.createKey(env);
    InProcess.ok(
        env, "create-alias", "--alias-name", "alias/payroll-2026", "--target-key-id", next);
    Path data = dir.resolve("data.enc");
    Files.write(
        data,
        Base64.getDecoder().decode(InProcess.encrypt(env, key, "aGk=", "Department=Finance")));
    byte[] reEncrypted =
        Base64.getDecoder()
            .decode(
                InProcess.ok(
                    env,
                    "re-encrypt",
                    "--ciphertext-blob",
                    "fileb://" + data,
                    "--source-encryption-context",
                    "Department=Finance",
                    "--destination-key-id",
                    "alias/payroll-2026",
                    "--destination-encryption-context",
                    "Department=Finance",
                    "--query",
                    "CiphertextBlob",
                    "--output",
                    "text"));
    Path fresh = dir.resolve("data.enc.new");
    Files.write(fresh, reEncrypted);

    String blob = "fileb://" + fresh;
    assertThat(
        InProcess.ok(
            env,
            "decrypt",
            "--ciphertext-blob",
            blob,
            "--encryption-context",
            "Department=Finance",
            "--query",
            "Plaintext",
            "--output",
            "text"),
        equalTo("aGk="));
    CliProcess.Result without = InProcess.qkms(env, "decrypt", "--ciphertext-blob", blob);
    assertThat(without.toString(), without.status(), equalTo(254));
    assertThat(without.stderr(), containsString("InvalidCiphertextException"));
  }

  @Test
  void cliInputJson_suppliesTheRequiredMembers() {
    CliProcess.Result r =
        InProcess.qkms(
            env,
            "encrypt",
            "--cli-input-json",
            "{\"KeyId\": \"" + key + "\", \"Plaintext\": \"aGk=\"}",
            "--query",
            "KeyId",
            "--output",
            "text");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.out(), equalTo(arn(key)));
  }

  @Test
  void optionNextToCliInputJson_overridesItsMember() {
    CliProcess.Result r =
        InProcess.qkms(
            env,
            "describe-key",
            "--cli-input-json",
            "{\"KeyId\": \"alias/nope\"}",
            "--key-id",
            key,
            "--query",
            "KeyMetadata.Arn",
            "--output",
            "text");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.out(), equalTo(arn(key)));
  }

  @Test
  void cliInputJson_fromAFile_isRead() throws IOException {
    Path f = dir.resolve("req.json");
    Files.writeString(f, "{\"KeyId\": \"" + key + "\"}");

    CliProcess.Result r =
        InProcess.qkms(
            env,
            "describe-key",
            "--cli-input-json",
            "file://" + f,
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text");

    assertThat(r.out(), equalTo(key));
  }

  @Test
  void commandWithoutOutput_printsNothing() {
    String k = InProcess.createKey(env);

    CliProcess.Result r = InProcess.qkms(env, "disable-key", "--key-id", k);

    assertThat(r.status(), equalTo(0));
    assertThat(r.stdout(), emptyString());
  }

  @Test
  void region_option_selectsTheRegion() {
    String k =
        InProcess.ok(
            env,
            "create-key",
            "--region",
            "eu-west-1",
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text");

    assertThat(InProcess.qkms(env, "describe-key", "--key-id", k).status(), equalTo(254));
    assertThat(
        InProcess.qkms(env, "describe-key", "--key-id", k, "--region", "eu-west-1").status(),
        equalTo(0));
  }

  @Test
  void region_notOfTheStore_isValidationException() {
    CliProcess.Result r = InProcess.qkms(env, "list-keys", "--region", "ap-south-1");

    assertThat(r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        equalTo(
            "{\"__type\": \"ValidationException\", \"message\": \"The region ap-south-1 is not a"
                + " region of this key store\"}\n"));
  }

  @Test
  void region_malformed_isUsageError() {
    CliProcess.Result r = InProcess.qkms(env, "list-keys", "--region", "Mars");

    assertThat(r.status(), equalTo(252));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: error: Invalid value for --region: 'Mars' (a region looks like us-east-1)"));
  }

  @Test
  void principal_option_isWhoCalls() {
    CliProcess.Result r =
        InProcess.qkms(
            env,
            "describe-key",
            "--key-id",
            key,
            "--principal",
            "arn:verenc:" + ACCOUNT + ":user/alice");

    assertThat(r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        equalTo(
            "{\"__type\": \"AccessDeniedException\", \"message\": \"User: arn:verenc:"
                + ACCOUNT
                + ":user/alice is not authorized to perform: kms:DescribeKey on resource: "
                + arn(key)
                + " because no resource-based policy allows the kms:DescribeKey action\"}\n"));
  }

  @Test
  void principal_malformed_isUsageError() {
    CliProcess.Result r = InProcess.qkms(env, "list-keys", "--principal", "alice");

    assertThat(r.status(), equalTo(252));
    assertThat(r.stderr(), containsString("qkms: error: Invalid value for --principal"));
  }

  @Test
  void noKeystore_isUsageError() {
    CliProcess.Result r = InProcess.qkms(Map.of(), "list-keys");

    assertThat(r.status(), equalTo(252));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: error: the following arguments are required: --keystore (or set"
                + " QKMS_KEYSTORE)"));
  }

  @Test
  void atSignValue_isAValueNotAnArgumentFile() {
    CliProcess.Result r =
        InProcess.qkms(
            env,
            "create-key",
            "--description",
            "@notes.txt",
            "--query",
            "KeyMetadata.Description",
            "--output",
            "text");

    assertThat(r.out(), equalTo("@notes.txt"));
  }

  @Test
  void generateDataKey_numberOfBytes_isHonoured() {
    String plaintext =
        InProcess.ok(
            env,
            "generate-data-key",
            "--key-id",
            key,
            "--number-of-bytes",
            "16",
            "--query",
            "Plaintext",
            "--output",
            "text");

    assertThat(Base64.getDecoder().decode(plaintext).length, equalTo(16));
  }

  @Test
  void createGrant_constraintsShorthand_reachTheGrant() throws IOException {
    InProcess.ok(
        env,
        "create-grant",
        "--key-id",
        key,
        "--grantee-principal",
        "arn:verenc:" + ACCOUNT + ":role/rekey",
        "--operations",
        "Encrypt",
        "Decrypt",
        "--constraints",
        "EncryptionContextSubset={Department=IT}",
        "--name",
        "it-only");

    JsonNode grant =
        JSON.readTree(InProcess.ok(env, "list-grants", "--key-id", key, "--query", "Grants"))
            .get(0);

    assertThat(grant.get("Operations").toString(), equalTo("[\"Encrypt\",\"Decrypt\"]"));
    assertThat(
        grant.get("Constraints").toString(),
        equalTo("{\"EncryptionContextSubset\":{\"Department\":\"IT\"}}"));
  }

  @Test
  void putKeyPolicy_fromFile_isStoredAsWritten() throws IOException {
    String k = InProcess.createKey(env);
    String policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
            + "{\"AWS\":\"arn:verenc:111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    Path f = dir.resolve("policy.json");
    Files.writeString(f, policy);

    InProcess.ok(env, "put-key-policy", "--key-id", k, "--policy", "file://" + f);

    assertThat(
        InProcess.ok(env, "get-key-policy", "--key-id", k, "--query", "Policy", "--output", "text"),
        equalTo(policy));
  }

  @Test
  void listKeys_asText_isOneLinePerKey() {
    CliProcess.Result r = InProcess.qkms(env, "list-keys", "--output", "text", "--limit", "1");

    assertThat(r.status(), equalTo(0));
    assertThat(r.stdout(), matchesPattern("(?s)[^\t\n]+\tTrue\n.*")); // NextMarker, Truncated
    assertThat(r.stdout(), containsString("\nKEYS\t" + key + "\t" + arn(key) + "\n"));
  }

  @Test
  void init_withPassphrase_makesAPassphraseStoreThatOpensOnlyWithIt() {
    Map<String, String> withPassphrase =
        Map.of("QKMS_KEYSTORE", dir.resolve("ks").toString(), "QKMS_PASSPHRASE", "open sesame");
    CliProcess.Result init =
        InProcess.qkms(withPassphrase, "init", "--query", "RootKey", "--output", "text");
    assertThat(init.out(), equalTo("passphrase (QKMS_PASSPHRASE)"));
    assertThat(Files.exists(dir.resolve("ks/root.key")), equalTo(false));

    CliProcess.Result without =
        InProcess.qkms(Map.of("QKMS_KEYSTORE", dir.resolve("ks").toString()), "list-keys");

    assertThat(without.status(), equalTo(255));
    assertThat(
        without.stderr(),
        equalTo(
            "qkms: The key store in "
                + dir.resolve("ks")
                + " is protected by a passphrase: set QKMS_PASSPHRASE\n"));
    assertThat(without.stderr(), not(containsString("sesame")));
  }

  @Test
  void init_rootKeyFileElsewhere_isUsedThroughTheEnvironment() {
    Path keyFile = dir.resolve("keys/qkms.key");
    Path ks = dir.resolve("ks");
    InProcess.ok(
        Map.of(), "init", "--keystore", ks.toString(), "--root-key-file", keyFile.toString());

    CliProcess.Result r =
        InProcess.qkms(
            Map.of("QKMS_KEYSTORE", ks.toString(), "QKMS_ROOT_KEY_FILE", keyFile.toString()),
            "list-keys");

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(Files.exists(ks.resolve("root.key")), equalTo(false));
  }

  @Test
  void init_sameRegionTwice_isUsageError() {
    CliProcess.Result r =
        InProcess.qkms(
            Map.of(),
            "init",
            "--keystore",
            dir.resolve("ks").toString(),
            "--region",
            "us-east-1",
            "--region",
            "us-east-1");

    assertThat(r.status(), equalTo(252));
    assertThat(r.stderr(), containsString("qkms: error: --region us-east-1 is given twice"));
    assertThat(Files.exists(dir.resolve("ks")), equalTo(false));
  }

  @Test
  void init_badAccount_isUsageError() {
    CliProcess.Result r =
        InProcess.qkms(
            Map.of(), "init", "--keystore", dir.resolve("ks").toString(), "--account", "1234");

    assertThat(r.status(), equalTo(252));
    assertThat(
        r.stderr(),
        containsString(
            "qkms: error: Invalid value for --account: '1234' (an account ID is 12 digits)"));
  }

  private static String arn(String keyId) {
    return "arn:verenc:" + ACCOUNT + ":key/" + keyId;
  }
}
