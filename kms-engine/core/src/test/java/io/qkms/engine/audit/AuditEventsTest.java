package io.qkms.engine.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditEventsTest {
  private static final AuditEvents.Call CALL =
      new AuditEvents.Call(
          Instant.parse("2026-12-07T01:02:03Z"),
          "req-1",
          "ReEncrypt",
          "arn:aws:iam::111122223333:user/alice",
          "AKIAEXAMPLE",
          "127.0.0.1",
          "aws-cli/2",
          "us-east-1");
  private static final String SOURCE = "arn:aws:kms:us-east-1:111122223333:key/source";
  private static final String DESTINATION = "arn:aws:kms:us-east-1:111122223333:key/destination";

  private static ObjectNode event(String request, String response, String errorCode) {
    return AuditEvents.api(
        CALL,
        request == null ? null : request.getBytes(UTF_8),
        response == null ? null : response.getBytes(UTF_8),
        errorCode,
        List.of("grant-1"));
  }

  @Test
  void aCallKeepsItsAllowedParametersKeysAndMaterials_neverBlobsPlaintextsOrTokens() {
    ObjectNode e =
        event(
            "{\"CiphertextBlob\":\"QkxPQg==\",\"SourceKeyId\":\""
                + SOURCE
                + "\",\"DestinationKeyId\":\""
                + DESTINATION
                + "\",\"DestinationEncryptionContext\":{\"Dept\":\"Finance\"},"
                + "\"GrantTokens\":[\"tok-secret\"],\"Plaintext\":\"UExBSU4=\",\"Policy\":{\"x\":[1,2]}}",
            "{\"CiphertextBlob\":\"TkVXQkxPQg==\",\"KeyId\":\""
                + DESTINATION
                + "\",\"SourceKeyId\":\""
                + SOURCE
                + "\",\"SourceKeyMaterialId\":\"m-old\",\"DestinationKeyMaterialId\":\"m-new\"}",
            null);
    String text = e.toString();
    assertThat(
        e.get("requestParameters").toString(),
        is(
            "{\"SourceKeyId\":\""
                + SOURCE
                + "\",\"DestinationKeyId\":\""
                + DESTINATION
                + "\",\"DestinationEncryptionContext\":{\"Dept\":\"Finance\"}}"));
    assertThat(e.get("resources").toString(), is("[\"" + DESTINATION + "\",\"" + SOURCE + "\"]"));
    assertThat(
        e.get("additionalEventData").toString(),
        is("{\"keyMaterialIds\":[\"m-new\",\"m-old\"],\"grantIds\":[\"grant-1\"]}"));
    for (String secret : List.of("QkxPQg==", "TkVXQkxPQg==", "tok-secret", "UExBSU4=", "Policy")) {
      assertThat(text, not(containsString(secret)));
    }
  }

  @Test
  void aBatchKeepsEachItemsParametersAndEachResultsKeysAndMaterials() {
    ObjectNode e =
        event(
            "{\"DestinationKeyId\":\""
                + DESTINATION
                + "\",\"Items\":[{\"CiphertextBlob\":\"QTE=\",\"SourceEncryptionContext\":{\"r\":\"1\"}},"
                + "{\"CiphertextBlob\":\"QTI=\",\"SourceKeyId\":\""
                + SOURCE
                + "\"}]}",
            "{\"Results\":[{\"CiphertextBlob\":\"QjE=\",\"SourceKeyId\":\""
                + SOURCE
                + "\",\"SourceKeyMaterialId\":\"m-1\"},{\"ErrorCode\":\"InvalidCiphertextException\"}]}",
            null);
    assertThat(
        e.get("requestParameters").toString(),
        is(
            "{\"DestinationKeyId\":\""
                + DESTINATION
                + "\",\"Items\":[{\"SourceEncryptionContext\":{\"r\":\"1\"}},{\"SourceKeyId\":\""
                + SOURCE
                + "\"}]}"));
    assertThat(e.get("resources").toString(), is("[\"" + DESTINATION + "\",\"" + SOURCE + "\"]"));
    assertThat(e.get("additionalEventData").get("keyMaterialIds").toString(), is("[\"m-1\"]"));
    assertThat(e.toString(), not(containsString("QTE=")));
    assertThat(e.toString(), not(containsString("QjE=")));
  }

  @Test
  void aDescribedKeyIsNamedByItsArn() {
    ObjectNode e =
        event(
            "{\"KeyId\":\"alias/x\"}",
            "{\"KeyMetadata\":{\"Arn\":\"" + SOURCE + "\",\"KeyId\":\"source\"}}",
            null);
    assertThat(e.get("resources").toString(), is("[\"" + SOURCE + "\"]"));
    assertThat(e.get("requestParameters").toString(), is("{\"KeyId\":\"alias/x\"}"));
  }

  @Test
  void aBodyThatIsNotJson_isRecordedWithoutParameters_withItsErrorCode() {
    for (String body : List.of("{\"KeyId\":", "not json", "", "[1,2", "\"just a string\"")) {
      ObjectNode e = event(body, null, "SerializationException");
      assertThat(body, e.has("requestParameters"), is(false));
      assertThat(body, e.has("resources"), is(false));
      assertThat(e.get("errorCode").asText(), is("SerializationException"));
      assertThat(e.get("eventName").asText(), is("ReEncrypt"));
    }
  }
}
