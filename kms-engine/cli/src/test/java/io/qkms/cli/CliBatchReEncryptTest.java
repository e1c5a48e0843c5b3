package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qkms batch-re-encrypt}: the catalogue's BatchReEncrypt as a command, from {@code
 * --cli-input-json} or {@code --items}, with per-item results on stdout.
 */
class CliBatchReEncryptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Map<String, String> env;
  static String source;
  static String destination;
  static String blob;

  @BeforeAll
  static void store() {
    env = Map.of("QKMS_KEYSTORE", dir.resolve("ks").toString());
    InProcess.ok(env, "init");
    source = key();
    destination = key();
    blob = InProcess.encrypt(env, source, "aGVsbG8=", "Department=Finance");
  }

  private static String key() {
    return InProcess.createKey(env);
  }

  private static String items(String firstContext) {
    return """
        [{"CiphertextBlob": "%s", "SourceEncryptionContext": {"Department": "%s"},
          "DestinationKeyId": "%s", "DestinationEncryptionContext": {"Department": "Finance"}},
         {"CiphertextBlob": "%s", "SourceEncryptionContext": {"Department": "Finance"},
          "DestinationKeyId": "%s", "DestinationEncryptionContext": {"Department": "Finance"}}]"""
        .formatted(blob, firstContext, destination, blob, destination);
  }

  @Test
  void cliInputJson_fromAFile_printsOneResultPerItem() throws IOException {
    Path request = dir.resolve("request.json");
    Files.writeString(request, "{\"Items\": " + items("Sales") + "}");

    CliProcess.Result r =
        CliProcess.qkms(env, "batch-re-encrypt", "--cli-input-json", "file://" + request);

    assertThat(r.toString(), r.status(), equalTo(0));
    JsonNode results = JSON.readTree(r.stdout()).get("Results");
    assertThat(results.get(0).get("__type").asText(), equalTo("InvalidCiphertextException"));
    assertThat(
        results.get(1).get("KeyId").asText(),
        equalTo("arn:verenc:111122223333:key/" + destination));
  }

  @Test
  void itemsOption_takesTheJsonArray() throws IOException {
    CliProcess.Result r = InProcess.qkms(env, "batch-re-encrypt", "--items", items("Finance"));

    assertThat(r.toString(), r.status(), equalTo(0));
    JsonNode results = JSON.readTree(r.stdout()).get("Results");
    assertThat(results.size(), equalTo(2));
    results.forEach(x -> assertThat(x.get("SourceKeyMaterialId").asText().length(), equalTo(64)));
  }

  @Test
  void aMalformedBatch_isTheApiError_exit254() {
    CliProcess.Result r = InProcess.qkms(env, "batch-re-encrypt", "--cli-input-json", "{}");

    assertThat(r.toString(), r.status(), equalTo(252)); // --items is required
    CliProcess.Result empty =
        InProcess.qkms(env, "batch-re-encrypt", "--cli-input-json", "{\"Items\": [1]}");
    assertThat(empty.toString(), empty.status(), equalTo(254));
    assertThat(
        empty.stderr(),
        containsString(
            "{\"__type\": \"ValidationException\", \"message\": \"Items[0] must be a"
                + " ReEncrypt request (a JSON object).\"}"));
  }

  @Test
  void itemsThatAreNotAJsonArray_areAUsageError() {
    CliProcess.Result r = InProcess.qkms(env, "batch-re-encrypt", "--items", "{\"a\": 1}");

    assertThat(r.toString(), r.status(), equalTo(252));
    assertThat(r.stderr(), containsString("Invalid value for --items: expected a JSON array"));
  }

  @Test
  void help_namesTheQkmsServiceTarget() {
    CliProcess.Result r = InProcess.qkms(Map.of(), "batch-re-encrypt", "--help");

    assertThat(r.status(), equalTo(0));
    assertThat(r.stdout(), containsString("Calls QkmsService.BatchReEncrypt"));
    assertThat(r.stdout(), containsString("--items=<json>"));
  }
}
