package io.qkms.engine.wire;

import static io.qkms.engine.wire.WireHarness.CLIENT;
import static io.qkms.engine.wire.WireHarness.arn;
import static io.qkms.engine.wire.WireHarness.assertError;
import static io.qkms.engine.wire.WireHarness.b64;
import static io.qkms.engine.wire.WireHarness.fieldNames;
import static io.qkms.engine.wire.WireHarness.parse;
import static io.qkms.engine.wire.WireHarness.unb64;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.model.BatchReEncryptRequest;
import io.qkms.engine.api.model.BatchReEncryptResponse;
import io.qkms.engine.api.model.BatchReEncryptResult;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.testing.EngineFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * QkmsService.BatchReEncrypt through the dispatcher: the wire format agreed with the re-key job's
 * remote mode ({@code {"Items": [...]}} in, {@code {"Results": [...]}} out, one result per item in
 * order, each a ReEncrypt response or an error object), items that fail alone, and malformed
 * batches refused whole.
 */
class BatchReEncryptWireTest {
  private static final String ALICE = "arn:verenc:111122223333:user/alice";
  private static final String CONTEXT = "{\"Department\": \"Finance\"}";

  @RegisterExtension final WireHarness w = new WireHarness(); // one per test, closed after it

  private static ObjectNode item(String blob, String destination) {
    ObjectNode item = CLIENT.createObjectNode();
    item.put("CiphertextBlob", blob);
    item.set("SourceEncryptionContext", parse(CONTEXT));
    item.put("DestinationKeyId", destination);
    item.set("DestinationEncryptionContext", parse(CONTEXT));
    return item;
  }

  private static String batch(JsonNode... items) {
    ObjectNode body = CLIENT.createObjectNode();
    ArrayNode array = body.putArray("Items");
    for (JsonNode i : items) {
      array.add(i);
    }
    return body.toString();
  }

  private JsonNode results(String body) {
    JsonNode r = w.ok("BatchReEncrypt", body);
    assertThat(fieldNames(r), contains("Results"));
    return r.get("Results");
  }

  private byte[] decrypt(JsonNode blob) {
    return w.fixture
        .engine
        .decrypt(
            EngineFixture.root(),
            DecryptRequest.builder()
                .ciphertextBlob(unb64(blob))
                .encryptionContext(Map.of("Department", "Finance"))
                .build())
        .plaintext();
  }

  @Test
  void eachItem_isReEncrypted_andAnsweredAsReEncryptIs_inOrder() {
    String source = w.newKey();
    String destination = w.newKey();
    List<JsonNode> items = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      items.add(item(w.encrypt(source, "secret " + i, CONTEXT), destination));
    }

    JsonNode results = results(batch(items.toArray(JsonNode[]::new)));

    assertThat(results.size(), equalTo(5));
    for (int i = 0; i < 5; i++) {
      JsonNode r = results.get(i);
      assertThat(
          fieldNames(r), contains(WireHarness.REENCRYPT_RESPONSE_MEMBERS.toArray(String[]::new)));
      assertThat(r.get("SourceKeyId").asText(), equalTo(arn(source)));
      assertThat(r.get("KeyId").asText(), equalTo(arn(destination)));
      assertThat(r.get("SourceKeyMaterialId").asText(), matchesPattern(WireHarness.HEX64));
      assertThat(
          new String(decrypt(r.get("CiphertextBlob")), StandardCharsets.UTF_8),
          equalTo("secret " + i));
    }
  }

  @Test
  void aFailingItem_getsItsOwnError_andTheOthersAreReEncrypted() {
    String source = w.newKey();
    String destination = w.newKey();
    String disabled = w.newKey();
    w.okWithoutOutput("DisableKey", "{\"KeyId\": \"%s\"}".formatted(disabled));
    String blob = w.encrypt(source, "secret", CONTEXT);
    ObjectNode wrongContext = item(blob, destination);
    wrongContext.set("SourceEncryptionContext", parse("{\"Department\": \"Sales\"}"));
    ObjectNode noDestination = item(blob, destination);
    noDestination.remove("DestinationKeyId");
    ObjectNode dryRun = item(blob, destination).put("DryRun", true);

    JsonNode results =
        results(
            batch(
                item(blob, destination),
                wrongContext,
                item(blob, "alias/does-not-exist"),
                item(blob, disabled),
                noDestination,
                item(b64("not a ciphertext"), destination),
                dryRun,
                item(blob, destination)));

    assertThat(results.size(), equalTo(8));
    assertThat(decrypt(results.get(0).get("CiphertextBlob")).length, equalTo(6));
    assertThat(results.get(1), equalTo(parse("{\"__type\": \"InvalidCiphertextException\"}")));
    assertThat(
        results.get(2),
        equalTo(
            parse(
                "{\"__type\": \"NotFoundException\", \"message\": \"Alias"
                    + " arn:verenc:111122223333:alias/does-not-exist is not found.\"}")));
    assertThat(
        results.get(3),
        equalTo(
            parse(
                "{\"__type\": \"DisabledException\", \"message\": \"%s is disabled.\"}"
                    .formatted(arn(disabled)))));
    assertThat(
        results.get(4),
        equalTo(
            parse(
                "{\"__type\": \"ValidationException\", \"message\": \"1 validation error"
                    + " detected: Value null at 'destinationKeyId' failed to satisfy constraint:"
                    + " Member must not be null\"}")));
    assertThat(results.get(5).get("__type").asText(), equalTo("InvalidCiphertextException"));
    assertThat(
        results.get(6),
        equalTo(
            parse(
                "{\"__type\": \"DryRunOperationException\", \"message\": \"The request would have"
                    + " succeeded, but the DryRun option is set.\"}")));
    assertThat(decrypt(results.get(7).get("CiphertextBlob")).length, equalTo(6));
  }

  @Test
  void eachItem_isAuthorizedOnItsOwn() {
    String allowed = w.newKey();
    String forbidden = w.newKey();
    String destination = w.newKey();
    for (String key : List.of(allowed, destination)) {
      w.ok(
          "CreateGrant",
          "{\"KeyId\": \"%s\", \"GranteePrincipal\": \"%s\", \"Operations\": [\"ReEncryptFrom\","
                  .formatted(key, ALICE)
              + " \"ReEncryptTo\"]}");
    }
    String body =
        batch(
            item(w.encrypt(forbidden, "a", CONTEXT), destination),
            item(w.encrypt(allowed, "b", CONTEXT), destination));

    WireResponse r = w.call("BatchReEncrypt", body, EngineFixture.user("alice"));

    JsonNode results = parse(r.body()).get("Results");
    assertThat(r.status(), equalTo(200));
    assertThat(
        results.get(0),
        equalTo(
            parse(
                "{\"__type\": \"AccessDeniedException\", \"message\": \"User: %s is not"
                        .formatted(ALICE)
                    + " authorized to perform: kms:ReEncryptFrom on resource: %s because no"
                        .formatted(arn(forbidden))
                    + " resource-based policy allows the kms:ReEncryptFrom action\"}")));
    assertThat(results.get(1).get("KeyId").asText(), equalTo(arn(destination)));
  }

  @Test
  void aThousandItems_areOneBatch() {
    String source = w.newKey();
    String destination = w.newKey();
    JsonNode one = item(w.encrypt(source, "x", CONTEXT), destination);
    JsonNode[] items = new JsonNode[BatchReEncryptRequest.MAX_ITEMS];
    Arrays.fill(items, one);

    JsonNode results = results(batch(items));

    assertThat(results.size(), equalTo(1000));
    results.forEach(r -> assertThat(r.get("KeyId").asText(), equalTo(arn(destination))));
  }

  // ---- Malformed batches: refused whole ------------------------------------------------------

  private void assertRefusedWhole(String body, String message) {
    assertError(w.call("BatchReEncrypt", body), 400, "ValidationException", message);
  }

  @Test
  void aBodyThatIsNotAnObject_isRefusedWhole() {
    for (String body : List.of("[]", "\"Items\"", "42", "null")) {
      assertRefusedWhole(body, "The request body must be a JSON object with Items.");
    }
  }

  @Test
  void aBatchWithoutItems_isRefusedWhole() {
    assertRefusedWhole("{}", "Items is required: an array of ReEncrypt requests.");
    assertRefusedWhole("", "Items is required: an array of ReEncrypt requests.");
    assertRefusedWhole("{\"items\": []}", "Items is required: an array of ReEncrypt requests.");
  }

  @Test
  void itemsThatAreNotAnArray_areRefusedWhole() {
    for (String items : List.of("{}", "\"x\"", "null", "1")) {
      assertRefusedWhole(
          "{\"Items\": " + items + "}", "Items must be an array of ReEncrypt requests.");
    }
  }

  @Test
  void anItemThatIsNotAnObject_isRefusedWhole_namingIt() {
    String good = item(w.encrypt(w.newKey(), "x", CONTEXT), w.newKey()).toString();
    for (String bad : List.of("null", "\"x\"", "[]", "7", "true")) {
      assertRefusedWhole(
          "{\"Items\": [" + good + ", " + bad + "]}",
          "Items[1] must be a ReEncrypt request (a JSON object).");
    }
  }

  @Test
  void noItems_orMoreThanAThousand_isRefusedWhole() {
    assertRefusedWhole(
        "{\"Items\": []}",
        "1 validation error detected: Value at 'items' failed to satisfy constraint: Member must"
            + " have length greater than or equal to 1");
    JsonNode[] items = new JsonNode[1001];
    Arrays.fill(items, CLIENT.createObjectNode());
    assertRefusedWhole(
        batch(items),
        "1 validation error detected: Value at 'items' failed to satisfy constraint: Member must"
            + " have length less than or equal to 1000");
  }

  @Test
  void anItemMemberOfTheWrongType_makesTheBodyUnreadable_namingTheMemberNotTheValue() {
    String good = item(w.encrypt(w.newKey(), "x", CONTEXT), w.newKey()).toString();

    assertError(
        w.call(
            "BatchReEncrypt",
            "{\"Items\": ["
                + good
                + ", {\"CiphertextBlob\": 12345, \"DestinationKeyId\": \"k\"}]}"),
        400,
        "SerializationException",
        "Invalid value for 'Items.[1].CiphertextBlob'.");
  }

  @Test
  void unknownMembers_areIgnored_asInEveryRequest() {
    String good = item(w.encrypt(w.newKey(), "x", CONTEXT), w.newKey()).toString();

    JsonNode r = w.ok("BatchReEncrypt", "{\"Extra\": {\"a\": [1, 2]}, \"Items\": [" + good + "]}");

    assertThat(r.get("Results").get(0).has("CiphertextBlob"), equalTo(true));
  }

  // ---- The engine's API ---------------------------------------------------------------------

  @Test
  void engineApi_answersEachItem_andReadsItsOwnWireForm() throws IOException {
    String source = w.newKey();
    String destination = w.newKey();
    ReEncryptRequest good =
        ReEncryptRequest.builder()
            .ciphertextBlob(Base64.getDecoder().decode(w.encrypt(source, "x", "{}")))
            .destinationKeyId(destination)
            .build();
    ReEncryptRequest bad = ReEncryptRequest.builder().destinationKeyId(destination).build();

    BatchReEncryptResponse r =
        w.fixture.engine.batchReEncrypt(
            EngineFixture.root(), new BatchReEncryptRequest(Arrays.asList(good, bad, null)));

    assertThat(r.results().get(0).isError(), equalTo(false));
    assertThat(r.results().get(1).errorCode(), equalTo("ValidationException"));
    assertThat(r.results().get(2).errorCode(), equalTo("ValidationException"));
    BatchReEncryptResponse back =
        Json.mapper().readValue(Json.mapper().writeValueAsBytes(r), BatchReEncryptResponse.class);
    assertThat(back.results().get(0).response().keyId(), equalTo(arn(destination)));
    assertThat(back.results().get(1), equalTo(r.results().get(1)));
    assertThat(
        back.results().get(2),
        equalTo(
            BatchReEncryptResult.error(
                "ValidationException", "An item of the batch is null, not a ReEncrypt request.")));
  }
}
