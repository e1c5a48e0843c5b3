package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qkms init}'s credentials file and the access-key commands. */
class CliAccessKeysTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROOT = "arn:verenc:111122223333:root";
  private static final String ISO = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?\\+00:00";

  @TempDir Path dir;

  private Path init() throws IOException {
    Path ks = dir.resolve("ks");
    InProcess.init(ks);
    return ks;
  }

  private static List<String> ids(JsonNode list) {
    List<String> ids = new ArrayList<>();
    list.get("AccessKeyMetadata").forEach(k -> ids.add(k.get("AccessKeyId").asText()));
    return ids;
  }

  @Test
  void init_writesAnOwnerOnlyCredentialsFile_forTheRootsAccessKey() throws IOException {
    Path ks = dir.resolve("ks");

    JsonNode out = JSON.readTree(InProcess.init(ks));

    Path file = ks.resolve("credentials");
    String id = out.get("AccessKeyId").asText();
    assertThat(out.get("CredentialsFile").asText(), equalTo(file.toString()));
    assertThat(out.get("Profile").asText(), equalTo("qkms"));
    assertThat(id, matchesPattern("AKIA[A-Z2-7]{16}"));
    assertThat(
        Files.readString(file, StandardCharsets.UTF_8),
        matchesPattern(
            "\\[qkms\\]\naws_access_key_id = "
                + id
                + "\naws_secret_access_key = [A-Za-z0-9+/]{40}\n"));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), equalTo("rw-------"));
    JsonNode list =
        JSON.readTree(InProcess.ok(Map.of(), "list-access-keys", "--keystore", ks.toString()));
    assertThat(ids(list), equalTo(List.of(id)));
    assertThat(list.get("AccessKeyMetadata").get(0).get("Principal").asText(), equalTo(ROOT));
  }

  @Test
  void storeFile_neverHoldsTheSecret_asTextOrAsItsBytes() throws IOException {
    Path ks = init();
    String secret =
        Files.readString(ks.resolve("credentials"))
            .replaceAll("(?s).*aws_secret_access_key = (\\S+).*", "$1");
    byte[] store = Files.readAllBytes(ks.resolve("store.qks"));
    List<byte[]> forms =
        List.of(secret.getBytes(StandardCharsets.US_ASCII), Base64.getDecoder().decode(secret));

    for (byte[] form : forms) {
      assertThat(indexOf(store, form), equalTo(-1));
      // The search finds the secret where it is: spliced into a copy of the file.
      int at = store.length / 2;
      byte[] planted = Arrays.copyOf(store, store.length + form.length);
      System.arraycopy(form, 0, planted, at, form.length);
      System.arraycopy(store, at, planted, at + form.length, store.length - at);
      assertThat(indexOf(planted, form), equalTo(at));
    }
  }

  /** Where {@code part} first occurs in {@code all}, or -1. */
  private static int indexOf(byte[] all, byte[] part) {
    for (int i = 0; i + part.length <= all.length; i++) {
      if (Arrays.equals(all, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void createAccessKey_forAUser_printsIamsCreateAccessKeyShape() throws IOException {
    Path ks = init();

    JsonNode key = InProcess.createAccessKey(ks, "arn:verenc:111122223333:user/alice");

    List<String> members = new ArrayList<>();
    key.fieldNames().forEachRemaining(members::add);
    assertThat(
        members,
        equalTo(
            List.of(
                "UserName",
                "AccessKeyId",
                "Status",
                "SecretAccessKey",
                "CreateDate",
                "Principal")));
    assertThat(key.get("UserName").asText(), equalTo("alice"));
    assertThat(key.get("AccessKeyId").asText(), matchesPattern("AKIA[A-Z2-7]{16}"));
    assertThat(key.get("Status").asText(), equalTo("Active"));
    assertThat(key.get("SecretAccessKey").asText(), matchesPattern("[A-Za-z0-9+/]{40}"));
    assertThat(key.get("CreateDate").asText(), matchesPattern(ISO));
    assertThat(key.get("Principal").asText(), equalTo("arn:verenc:111122223333:user/alice"));
  }

  @Test
  void createAccessKey_principalOfAnotherAccount_isAUsageError() throws IOException {
    Path ks = init();

    CliProcess.Result r =
        InProcess.qkms(
            Map.of(),
            "create-access-key",
            "--keystore",
            ks.toString(),
            "--principal",
            "arn:verenc:444455556666:user/mallory");

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(
        r.stderr().strip().lines().reduce((a, b) -> b).orElse(""),
        equalTo(
            "qkms: error: Invalid value for --principal: The principal"
                + " arn:verenc:444455556666:user/mallory is not of this key store's account"
                + " 111122223333"));
  }

  @Test
  void listAccessKeys_neverShowsSecrets_andFiltersByPrincipal() throws IOException {
    Path ks = init();
    String alice =
        InProcess.createAccessKey(ks, "arn:verenc:111122223333:user/alice")
            .get("AccessKeyId")
            .asText();

    String all = InProcess.ok(Map.of(), "list-access-keys", "--keystore", ks.toString());
    JsonNode aliceOnly =
        JSON.readTree(
            InProcess.ok(
                Map.of(),
                "list-access-keys",
                "--keystore",
                ks.toString(),
                "--principal",
                "arn:verenc:111122223333:user/alice"));

    assertThat(all.contains("SecretAccessKey"), equalTo(false));
    assertThat(ids(JSON.readTree(all)).size(), equalTo(2));
    assertThat(ids(aliceOnly), equalTo(List.of(alice)));
    assertThat(aliceOnly.get("IsTruncated").asBoolean(), equalTo(false));
  }

  @Test
  void deleteAccessKey_removesIt_andPrintsNothing() throws IOException {
    Path ks = init();
    String id =
        JSON.readTree(InProcess.ok(Map.of(), "create-access-key", "--keystore", ks.toString()))
            .get("AccessKey")
            .get("AccessKeyId")
            .asText();

    CliProcess.Result r =
        InProcess.qkms(
            Map.of(), "delete-access-key", "--keystore", ks.toString(), "--access-key-id", id);

    assertThat(r.toString(), r.status(), equalTo(0));
    assertThat(r.stdout(), emptyString());
    JsonNode list =
        JSON.readTree(InProcess.ok(Map.of(), "list-access-keys", "--keystore", ks.toString()));
    assertThat(ids(list).contains(id), equalTo(false));
  }

  @Test
  void deleteAccessKey_unknown_isNoSuchEntity() throws IOException {
    Path ks = init();

    CliProcess.Result r =
        InProcess.qkms(
            Map.of(),
            "delete-access-key",
            "--keystore",
            ks.toString(),
            "--access-key-id",
            "AKIAIOSFODNN7EXAMPLE");

    assertThat(r.toString(), r.status(), equalTo(254));
    assertThat(
        r.stderr(),
        equalTo(
            "{\"__type\": \"NoSuchEntityException\", \"message\": \"The Access Key with id"
                + " AKIAIOSFODNN7EXAMPLE cannot be found.\"}\n"));
  }
}
