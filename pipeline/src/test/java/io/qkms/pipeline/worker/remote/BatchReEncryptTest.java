package io.qkms.pipeline.worker.remote;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.worker.WorkerKms;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The BatchReEncrypt wire format as kms-engine/README.md specifies it, both ways. */
class BatchReEncryptTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theRequestIsItemsOfReEncryptRequests_withOnlyTheMembersGiven() throws Exception {
    byte[] blob = {0x51, 0x01, 2, 3};
    JsonNode n =
        JSON.readTree(
            BatchReEncrypt.encode(
                List.of(
                    new WorkerKms.Probe(
                        blob,
                        null,
                        Map.of("tenant", "t-1"),
                        "alias/new",
                        Map.of("tenant", "t-1"),
                        List.of()),
                    new WorkerKms.Probe(
                        blob, "alias/old", null, "alias/new", Map.of(), List.of("g1")))));

    assertThat(n.size(), is(1));
    JsonNode items = n.get("Items");
    assertThat(items.size(), is(2));
    JsonNode first = items.get(0);
    assertThat(
        first.get("CiphertextBlob").asText(), equalTo(Base64.getEncoder().encodeToString(blob)));
    assertThat(first.get("DestinationKeyId").asText(), equalTo("alias/new"));
    assertThat(first.get("SourceEncryptionContext").get("tenant").asText(), equalTo("t-1"));
    assertThat(first.get("DestinationEncryptionContext").get("tenant").asText(), equalTo("t-1"));
    assertThat(first.has("SourceKeyId"), is(false));
    assertThat(first.has("GrantTokens"), is(false));
    JsonNode second = items.get(1);
    assertThat(second.get("SourceKeyId").asText(), equalTo("alias/old"));
    assertThat(second.has("DestinationEncryptionContext"), is(false));
    assertThat(second.get("GrantTokens").get(0).asText(), equalTo("g1"));
  }

  @Test
  void eachResultIsTheResponseOrTheItemsOwnError_inOrder() {
    String body =
        """
        {"Results": [
          {"CiphertextBlob": "UQEC", "KeyId": "arn:verenc:111122223333:key/n",
           "SourceKeyId": "arn:verenc:111122223333:key/o"},
          {"__type": "InvalidCiphertextException", "message": ""},
          {"__type": "ThrottlingException", "message": "You have exceeded the rate"},
          {"__type": "KMSInternalException", "message": "boom"}]}
        """;

    List<BatchReEncrypt.Result> r =
        BatchReEncrypt.decode(200, body.getBytes(StandardCharsets.UTF_8), 4);

    assertThat(r.get(0).ciphertext(), equalTo(new byte[] {0x51, 0x01, 0x02}));
    assertThat(r.get(0).sourceKeyArn(), equalTo("arn:verenc:111122223333:key/o"));
    assertThat(r.get(0).failure(), nullValue());
    assertThat(r.get(1).failure().kind(), is(RemoteErrors.Kind.PERMANENT));
    assertThat(r.get(1).failure().code(), equalTo("InvalidCiphertextException"));
    assertThat(r.get(2).failure().kind(), is(RemoteErrors.Kind.THROTTLED));
    assertThat(r.get(3).failure().kind(), is(RemoteErrors.Kind.OVERLOADED));
  }

  /** Answers that fail the whole request, and how they are classed. */
  static Stream<Arguments> wholeRequestFailures() {
    return Stream.of(
        Arguments.of(
            Named.of("a whole request throttled fails every item as throttled", 400),
            "{\"__type\":\"ThrottlingException\",\"message\":\"You have exceeded the rate at which"
                + " you may call KMS. Reduce the frequency of your calls.\"}",
            3,
            RemoteErrors.Kind.THROTTLED,
            "ThrottlingException",
            containsString("Reduce the frequency")),
        Arguments.of(
            Named.of(
                "a malformed batch is a validation error of the whole request, not retried", 400),
            "{\"__type\":\"ValidationException\",\"message\":\"Items: at most 1000\"}",
            1,
            RemoteErrors.Kind.PERMANENT,
            "ValidationException",
            containsString("Items: at most 1000")),
        Arguments.of(
            Named.of("a server error without a body is overloaded", 503),
            "",
            1,
            RemoteErrors.Kind.OVERLOADED,
            "HTTP503",
            nullValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wholeRequestFailures")
  void anErrorAnswer_failsTheWholeRequest(
      int status,
      String body,
      int items,
      RemoteErrors.Kind kind,
      String code,
      Matcher<String> message) {
    BatchReEncrypt.RequestFailed e =
        assertThrows(
            BatchReEncrypt.RequestFailed.class,
            () -> BatchReEncrypt.decode(status, body.getBytes(StandardCharsets.UTF_8), items));

    assertThat(e.failure.kind(), is(kind));
    assertThat(e.failure.code(), equalTo(code));
    assertThat(e.failure.message(), message);
  }

  @Test
  void anAnswerWithTheWrongNumberOfResults_isRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                BatchReEncrypt.decode(
                    200, "{\"Results\": []}".getBytes(StandardCharsets.UTF_8), 2));

    assertThat(e.getMessage(), containsString("0 results for 2 items"));
  }

  @Test
  void aResultsMembers_mayComeInAnyOrder_andUnknownMembersAreSkipped() {
    String body =
        """
        {"Extra": {"a": [1, {"b": null}]}, "Results": [
          {"Other": [{"x": 1}], "SourceKeyId": "arn:verenc:111122223333:key/o",
           "CiphertextBlob": "UQEC", "KeyId": "k", "Nested": {"CiphertextBlob": 5}},
          {"CiphertextBlob": "UQEC", "message": null, "__type": "NotFoundException"},
          {"Message": "upper case", "__type": "AccessDeniedException"}], "After": true}
        """;

    List<BatchReEncrypt.Result> r =
        BatchReEncrypt.decode(200, body.getBytes(StandardCharsets.UTF_8), 3);

    assertThat(r.get(0).ciphertext(), equalTo(new byte[] {0x51, 0x01, 0x02}));
    assertThat(r.get(0).sourceKeyArn(), equalTo("arn:verenc:111122223333:key/o"));
    assertThat(r.get(1).ciphertext(), nullValue());
    assertThat(r.get(1).failure().code(), equalTo("NotFoundException"));
    assertThat(r.get(2).failure().code(), equalTo("AccessDeniedException"));
    assertThat(r.get(2).failure().message(), equalTo("upper case"));
  }

  @Test
  void anAnswerThatIsNotOneResultObjectWithABlobPerItem_isRefused() {
    Map<String, String> refusals = new LinkedHashMap<>();
    for (String bad :
        List.of(
            "{\"Results\": [\"UQEC\"]}",
            "{\"Results\": [{\"CiphertextBlob\": 7}]}",
            "{\"Results\": [{\"CiphertextBlob\": \"not base64!\"}]}",
            "{\"Results\": [{\"KeyId\": \"k\"}]}")) {
      refusals.put(bad, "a result without a blob");
    }
    for (String bad : List.of("", "not json", "[1]", "{\"Results\": {}}", "{\"Other\": []}")) {
      refusals.put(bad, "without a Results array");
    }
    refusals.forEach(
        (bad, why) -> {
          IllegalStateException e =
              assertThrows(
                  IllegalStateException.class,
                  () -> BatchReEncrypt.decode(200, bad.getBytes(StandardCharsets.UTF_8), 1),
                  bad);
          assertThat(bad, e.getMessage(), containsString(why));
        });
  }

  @Test
  void namespacedErrorTypes_andTheSdksThrottlingCodes_areRecognised() {
    assertThat(
        RemoteErrors.ofAnswer("com.amazonaws.kms#NotFoundException", "x", 400).code(),
        equalTo("NotFoundException"));
    assertThat(RemoteErrors.ofAnswer("Anything", "x", 429).kind(), is(RemoteErrors.Kind.THROTTLED));
    assertThat(
        RemoteErrors.ofAnswer("DependencyTimeoutException", "x", 400).kind(),
        is(RemoteErrors.Kind.OVERLOADED));
    assertThat(
        RemoteErrors.ofAnswer("AccessDeniedException", "x", 400).kind(),
        is(RemoteErrors.Kind.PERMANENT));
  }
}
