package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.audit.AuditTrail;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call a grant allowed names the grant in its audit line; one the key policy allowed does not.
 */
class ServerAuditGrantsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PLAINTEXT = "aGVsbG8="; // hello

  @TempDir Path dir;

  @Test
  void callsAllowedByAGrantOrItsToken_recordTheGrantId_othersNone() throws Exception {
    AuditTrail trail =
        AuditTrail.open(dir, new byte[32], Clock.systemUTC(), AuditTrail.DEFAULT_MAX_FILE_BYTES);
    try (TestEndpoint e =
        TestEndpoint.start(Clock.systemUTC(), b -> b.audit(trail, ApiAudit.Failure.REFUSE))) {
      String keyId =
          JSON.readTree(e.call("CreateKey", "{}").body()).at("/KeyMetadata/KeyId").asText();
      JsonNode grant =
          JSON.readTree(
              e.call(
                      "CreateGrant",
                      "{\"KeyId\":\""
                          + keyId
                          + "\",\"GranteePrincipal\":\""
                          + TestEndpoint.ALICE.arn()
                          + "\",\"Operations\":[\"Encrypt\"],"
                          + "\"Constraints\":{\"EncryptionContextSubset\":{\"Dept\":\"Finance\"}}}")
                  .body());
      String grantId = grant.path("GrantId").asText();
      String token = grant.path("GrantToken").asText();

      assertThat(alice(e, encrypt(keyId, "Finance", null)), is(200));
      assertThat(alice(e, encrypt(keyId, "Finance", token)), is(200));
      assertThat(alice(e, encrypt(keyId, "HR", null)), is(400)); // the grant's constraint fails
      assertThat(e.call("Encrypt", encrypt(keyId, "HR", null)).statusCode(), is(200)); // root

      List<JsonNode> lines = lines(dir);
      List<JsonNode> encrypts =
          lines.stream().filter(l -> l.path("eventName").asText().equals("Encrypt")).toList();
      assertThat(encrypts.size(), is(4));
      assertThat(grantIds(encrypts.get(0)), equalTo(List.of(grantId)));
      assertThat(grantIds(encrypts.get(1)), equalTo(List.of(grantId)));
      assertThat(encrypts.get(2).path("errorCode").asText(), equalTo("AccessDeniedException"));
      assertThat(grantIds(encrypts.get(2)), equalTo(List.of()));
      assertThat(grantIds(encrypts.get(3)), equalTo(List.of()));
      assertThat(lines.toString().contains(token), is(false)); // tokens are never recorded
    }
  }

  private static String encrypt(String keyId, String dept, String token) {
    return "{\"KeyId\":\""
        + keyId
        + "\",\"Plaintext\":\""
        + PLAINTEXT
        + "\",\"EncryptionContext\":{\"Dept\":\""
        + dept
        + "\"}"
        + (token == null ? "" : ",\"GrantTokens\":[\"" + token + "\"]")
        + "}";
  }

  private static int alice(TestEndpoint e, String body) {
    return e.send(
            e.signed("Encrypt", body.getBytes(StandardCharsets.UTF_8), e.aliceKey, "us-east-1"))
        .statusCode();
  }

  private static List<String> grantIds(JsonNode line) {
    List<String> ids = new ArrayList<>();
    line.path("additionalEventData").path("grantIds").forEach(n -> ids.add(n.asText()));
    return ids;
  }

  private static List<JsonNode> lines(Path dir) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (Path f : AuditTrail.files(dir)) {
      for (String l : Files.readAllLines(f)) {
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }
}
