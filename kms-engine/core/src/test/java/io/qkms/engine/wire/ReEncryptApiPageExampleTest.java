package io.qkms.engine.wire;

import static io.qkms.engine.wire.ReEncryptApiPage.CIPHERTEXT_BLOB;
import static io.qkms.engine.wire.ReEncryptApiPage.DESTINATION_KEY_ID;
import static io.qkms.engine.wire.ReEncryptApiPage.EXAMPLE_1_REQUEST_BODY;
import static io.qkms.engine.wire.ReEncryptApiPage.EXAMPLE_1_RESPONSE_BODY;
import static io.qkms.engine.wire.ReEncryptApiPage.GRANT_ID;
import static io.qkms.engine.wire.ReEncryptApiPage.GRANT_TOKEN;
import static io.qkms.engine.wire.ReEncryptApiPage.REQUEST_SYNTAX_BODY;
import static io.qkms.engine.wire.ReEncryptApiPage.SOURCE_KEY_ID;
import static io.qkms.engine.wire.WireHarness.HEX64;
import static io.qkms.engine.wire.WireHarness.assertError;
import static io.qkms.engine.wire.WireHarness.b64;
import static io.qkms.engine.wire.WireHarness.fieldNames;
import static io.qkms.engine.wire.WireHarness.parse;
import static io.qkms.engine.wire.WireHarness.unb64;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.internal.auth.GrantToken;
import io.qkms.engine.keys.MaterialId;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API page's ReEncrypt requests, sent verbatim as JSON, with the page's keys present: both key
 * IDs inserted into the store, and on the source key a grant for the root with ReEncryptFrom whose
 * ID is the one the page's grant token names, so that token is live.
 */
class ReEncryptApiPageExampleTest {
  private static final String SOURCE_ARN =
      "arn:verenc:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String DESTINATION_ARN =
      "arn:verenc:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
  private static final String PLAINTEXT = "Finance quarterly report";

  private WireHarness w;
  private MaterialId sourceMaterial;
  private MaterialId destinationMaterial;

  @BeforeEach
  void insertThePagesKeys() {
    w = new WireHarness();
    StoreSeeder seeder = new StoreSeeder(w.fixture);
    sourceMaterial = seeder.symmetricKey(SOURCE_KEY_ID);
    destinationMaterial = seeder.symmetricKey(DESTINATION_KEY_ID);
    seeder.rootGrant(SOURCE_KEY_ID, GRANT_ID, List.of("ReEncryptFrom"));
  }

  @AfterEach
  void close() {
    w.close();
  }

  static Stream<Named<String>> pageRequests() {
    return Stream.of(
        Named.of("Request Syntax", REQUEST_SYNTAX_BODY),
        Named.of("Example 1", EXAMPLE_1_REQUEST_BODY));
  }

  /** The page's request with only its CiphertextBlob replaced by one this engine made. */
  private String withEngineBlob(String pageBody) {
    String member = "\"CiphertextBlob\": \"" + CIPHERTEXT_BLOB + "\"";
    assertThat(pageBody.indexOf(member), equalTo(pageBody.lastIndexOf(member)));
    assertThat(pageBody.contains(member), is(true));
    String blob = w.encrypt(SOURCE_KEY_ID, PLAINTEXT, "{\"Department\": \"Finance\"}");
    return pageBody.replace(member, "\"CiphertextBlob\": \"" + blob + "\"");
  }

  @Test
  void pageGrantToken_namesTheInsertedGrant() {
    assertThat(GrantToken.decode(GRANT_TOKEN).grantId(), equalTo(GRANT_ID));
  }

  @Test
  void requestSyntaxBody_parsesIntoEveryReEncryptMember() throws Exception {
    ReEncryptRequest r = Json.mapper().readValue(REQUEST_SYNTAX_BODY, ReEncryptRequest.class);
    assertThat(r.ciphertextBlob(), equalTo(Base64.getDecoder().decode(CIPHERTEXT_BLOB)));
    assertThat(r.sourceKeyId(), equalTo(SOURCE_KEY_ID));
    assertThat(r.destinationKeyId(), equalTo(DESTINATION_KEY_ID));
    assertThat(r.sourceEncryptionContext(), equalTo(Map.of("Department", "Finance")));
    assertThat(r.destinationEncryptionContext(), equalTo(Map.of("Purpose", "Test")));
    assertThat(r.sourceEncryptionAlgorithm(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(r.destinationEncryptionAlgorithm(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(r.grantTokens(), equalTo(List.of(GRANT_TOKEN)));
    assertThat(r.dryRun(), nullValue());
    assertThat(r.dryRunModifiers(), nullValue());
  }

  @ParameterizedTest
  @MethodSource("pageRequests")
  void pageRequest_verbatim_isInvalidCiphertext(String pageBody) {
    // The page's blob is AWS's format: it parses as base64, then no QKMS key can read it.
    assertError(w.call("ReEncrypt", pageBody), 400, "InvalidCiphertextException", null);
  }

  @Test
  void requestSyntaxBody_afterTheGrantIsRevoked_isInvalidGrantToken() {
    w.okWithoutOutput(
        "RevokeGrant",
        "{\"KeyId\": \"%s\", \"GrantId\": \"%s\"}".formatted(SOURCE_KEY_ID, GRANT_ID));
    assertError(
        w.call("ReEncrypt", REQUEST_SYNTAX_BODY),
        400,
        "InvalidGrantTokenException",
        "The grant token does not belong to a live grant.");
  }

  @ParameterizedTest
  @MethodSource("pageRequests")
  void pageRequest_withEngineBlob_answersThePagesResponseShape(String pageBody) {
    JsonNode page = parse(EXAMPLE_1_RESPONSE_BODY);
    JsonNode r = w.ok("ReEncrypt", withEngineBlob(pageBody));

    Set<String> members = new LinkedHashSet<>(fieldNames(page));
    members.add("SourceKeyMaterialId");
    members.add("DestinationKeyMaterialId");
    assertThat(fieldNames(r), equalTo(members));
    assertThat(r.get("SourceKeyId").asText(), equalTo(SOURCE_ARN));
    assertThat(r.get("KeyId").asText(), equalTo(DESTINATION_ARN));
    assertThat(r.get("SourceEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(r.get("DestinationEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    for (String member :
        List.of(
            "SourceKeyId",
            "KeyId",
            "SourceEncryptionAlgorithm",
            "DestinationEncryptionAlgorithm")) {
      assertThat(member, r.get(member), equalTo(page.get(member)));
    }
    assertThat(r.get("SourceKeyMaterialId").asText(), matchesPattern(HEX64));
    assertThat(r.get("SourceKeyMaterialId").asText(), equalTo(sourceMaterial.hex()));
    assertThat(r.get("DestinationKeyMaterialId").asText(), matchesPattern(HEX64));
    assertThat(r.get("DestinationKeyMaterialId").asText(), equalTo(destinationMaterial.hex()));
    assertThat(unb64(r.get("CiphertextBlob"))[0], equalTo((byte) 'Q'));
    assertThat(r.get("CiphertextBlob").asText(), not(equalTo(CIPHERTEXT_BLOB)));
  }

  @ParameterizedTest
  @MethodSource("pageRequests")
  void pageRequest_withEngineBlob_resultDecryptsUnderTheDestinationContext(String pageBody) {
    String reEncrypted = w.ok("ReEncrypt", withEngineBlob(pageBody)).get("CiphertextBlob").asText();
    JsonNode r =
        w.ok(
            "Decrypt",
            "{\"CiphertextBlob\": \"%s\", \"EncryptionContext\": {\"Purpose\": \"Test\"}}"
                .formatted(reEncrypted));
    assertThat(r.get("Plaintext").asText(), equalTo(b64(PLAINTEXT)));
    assertThat(r.get("KeyId").asText(), equalTo(DESTINATION_ARN));
    assertThat(r.get("KeyMaterialId").asText(), equalTo(destinationMaterial.hex()));
  }
}
