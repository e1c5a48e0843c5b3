package io.qkms.engine.wire;

import static io.qkms.engine.wire.WireHarness.assertError;
import static io.qkms.engine.wire.WireHarness.b64;
import static io.qkms.engine.wire.WireHarness.fieldNames;
import static io.qkms.engine.wire.WireHarness.parse;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.testing.EngineFixture;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bodies and targets an AWS client would never send, or would get refused: each is a 400
 * SerializationException (or UnknownOperationException) and the error never echoes what the body
 * held, since a body may carry plaintext. Where a member is at fault, the message names it.
 */
class DispatcherMalformedInputTest {
  /** A value no message may repeat: stands for plaintext a caller put in the wrong place. */
  private static final String SECRET = "SECRET-PLAINTEXT-7f3a9c";

  @RegisterExtension final WireHarness w = new WireHarness(); // one per test, closed after it

  static Stream<String> operations() {
    return WireHarness.OPERATIONS.stream();
  }

  /**
   * Asserts a 400 SerializationException whose body is exactly {@code {"__type", "message"}} and
   * repeats none of {@code absent}; returns the message.
   */
  private static String assertSerializationError(WireResponse r, String... absent) {
    assertThat(r.bodyText(), r.status(), equalTo(400));
    assertThat(r.errorCode(), equalTo("SerializationException"));
    JsonNode body = parse(r.body());
    assertThat(fieldNames(body), equalTo(Set.of("__type", "message")));
    assertThat(body.get("__type").asText(), equalTo("SerializationException"));
    for (String value : absent) {
      assertThat(r.bodyText(), not(containsString(value)));
    }
    return body.get("message").asText();
  }

  private WireResponse dispatchBytes(String operation, byte[] body) {
    return w.dispatcher.dispatch("TrentService." + operation, body, EngineFixture.root());
  }

  // ---- Bodies that are not a JSON object ------------------------------------------------------

  @Test
  void invalidJson_isSerializationException() {
    assertSerializationError(
        w.call("Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": \"" + SECRET), SECRET);
  }

  @Test
  void invalidUtf8_isSerializationException() {
    byte[] body = "{\"KeyId\": \"SECRET-\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertSerializationError(dispatchBytes("DescribeKey", body), "SECRET-");
  }

  @ParameterizedTest
  @MethodSource("operations")
  void jsonStringAsBody_isSerializationException(String operation) {
    assertSerializationError(w.call(operation, "\"" + SECRET + "\""), SECRET);
  }

  @ParameterizedTest
  @MethodSource("operations")
  void jsonNumberAsBody_isSerializationException(String operation) {
    assertSerializationError(w.call(operation, "86753091"), "86753091");
  }

  @ParameterizedTest
  @MethodSource("operations")
  void jsonArrayAsBody_isSerializationException(String operation) {
    assertSerializationError(w.call(operation, "[{\"KeyId\": \"" + SECRET + "\"}]"), SECRET);
  }

  @ParameterizedTest
  @MethodSource("operations")
  void jsonNullAsBody_isSerializationException(String operation) {
    assertSerializationError(w.call(operation, "null"));
  }

  @ParameterizedTest
  @MethodSource("operations")
  void jsonBooleanAsBody_isSerializationException(String operation) {
    assertSerializationError(w.call(operation, "true"), "true");
  }

  @Test
  void duplicateMemberNames_isSerializationException() {
    assertSerializationError(
        w.call("DescribeKey", "{\"KeyId\": \"alias/first\", \"KeyId\": \"" + SECRET + "\"}"),
        SECRET,
        "alias/first");
  }

  @Test
  void duplicateMemberNamesInANestedObject_isSerializationException() {
    String body =
        """
        {"KeyId": "alias/x", "Plaintext": "%s",
         "EncryptionContext": {"Purpose": "%s", "Purpose": "Test"}}"""
            .formatted(b64(SECRET), SECRET);
    assertSerializationError(w.call("Encrypt", body), SECRET, b64(SECRET));
  }

  @Test
  void trailingGarbage_isSerializationException() {
    assertSerializationError(w.call("ListKeys", "{\"Limit\": 5} " + SECRET), SECRET);
  }

  @Test
  void trailingSecondObject_isSerializationException() {
    assertSerializationError(w.call("ListKeys", "{} {\"KeyId\": \"" + SECRET + "\"}"), SECRET);
  }

  @Test
  void deeplyNestedUnknownMember_isSerializationExceptionNotAServerFault() {
    String nested = "[".repeat(5_000) + "]".repeat(5_000);
    assertSerializationError(w.call("ListKeys", "{\"Unknown\": " + nested + "}"));
  }

  // ---- Members of the wrong type --------------------------------------------------------------

  @Test
  void numberForKeyId_namesKeyIdWithoutTheValue() {
    String message =
        assertSerializationError(w.call("DescribeKey", "{\"KeyId\": 86753091}"), "86753091");
    assertThat(message, containsString("'KeyId'"));
  }

  @Test
  void stringTrueForDryRun_namesDryRunWithoutTheValue() {
    String body =
        "{\"KeyId\": \"alias/x\", \"Plaintext\": \"%s\", \"DryRun\": \"true\"}"
            .formatted(b64(SECRET));
    String message = assertSerializationError(w.call("Encrypt", body), "true", b64(SECRET));
    assertThat(message, containsString("'DryRun'"));
  }

  @Test
  void objectForCiphertextBlob_namesCiphertextBlobWithoutTheValue() {
    String body = "{\"CiphertextBlob\": {\"%s\": \"%s\"}}".formatted(SECRET, SECRET);
    String message = assertSerializationError(w.call("Decrypt", body), SECRET);
    assertThat(message, containsString("'CiphertextBlob'"));
  }

  @Test
  void arrayOfNumbersForPlaintext_namesPlaintextWithoutTheValue() {
    // AWS blobs are base64 strings; an array of byte values is not one.
    String body = "{\"KeyId\": \"alias/x\", \"Plaintext\": [83, 69, 67, 82, 69, 84]}";
    String message = assertSerializationError(w.call("Encrypt", body), "83, 69");
    assertThat(message, containsString("'Plaintext'"));
  }

  @Test
  void arrayOfNumbersForCiphertextBlob_namesCiphertextBlobWithoutTheValue() {
    String body = "{\"CiphertextBlob\": [81, 1, 0, 0], \"DestinationKeyId\": \"alias/x\"}";
    String message = assertSerializationError(w.call("ReEncrypt", body), "81, 1");
    assertThat(message, containsString("'CiphertextBlob'"));
  }

  @Test
  void fractionForIntegerMember_namesItInsteadOfTruncating() {
    // 32.5 bytes is not a size; AWS refuses it rather than reading 32.
    String message =
        assertSerializationError(
            w.call("GenerateDataKey", "{\"KeyId\": \"alias/x\", \"NumberOfBytes\": 32.5}"), "32.5");
    assertThat(message, containsString("'NumberOfBytes'"));
  }

  @Test
  void stringForList_namesGrantTokensWithoutTheValue() {
    String body = "{\"KeyId\": \"alias/x\", \"GrantTokens\": \"%s\"}".formatted(SECRET);
    String message = assertSerializationError(w.call("DescribeKey", body), SECRET);
    assertThat(message, containsString("'GrantTokens'"));
  }

  @Test
  void numberAsContextValue_namesEncryptionContextWithoutItsKeysOrValues() {
    // Context keys are caller data like the values: the message stops at the member.
    String body =
        """
        {"KeyId": "alias/x", "Plaintext": "%s", "EncryptionContext": {"%s": 86753091}}"""
            .formatted(b64("x"), SECRET);
    String message = assertSerializationError(w.call("Encrypt", body), SECRET, "86753091");
    assertThat(message, containsString("'EncryptionContext'"));
  }

  // ---- Blobs that are not base64 --------------------------------------------------------------

  @Test
  void invalidBase64CiphertextBlob_namesCiphertextBlobWithoutTheValue() {
    String message =
        assertSerializationError(
            w.call("Decrypt", "{\"CiphertextBlob\": \"" + SECRET + "!!\"}"), SECRET);
    assertThat(message, containsString("'CiphertextBlob'"));
  }

  @Test
  void invalidBase64Plaintext_namesPlaintextWithoutTheValue() {
    String message =
        assertSerializationError(
            w.call("Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": \"" + SECRET + "*\"}"),
            SECRET);
    assertThat(message, containsString("'Plaintext'"));
  }

  @Test
  void emptyBase64Plaintext_parsesAndIsRefusedByValidation() {
    assertError(
        w.call("Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": \"\"}"),
        400,
        "ValidationException",
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member"
            + " must have length greater than or equal to 1");
  }

  @Test
  void nullCiphertextBlob_parsesAndIsRefusedByValidation() {
    assertError(
        w.call("Decrypt", "{\"CiphertextBlob\": null}"),
        400,
        "ValidationException",
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy"
            + " constraint: Member must not be null");
  }

  // ---- What is accepted -----------------------------------------------------------------------

  @Test
  void emptyBody_isReadAsEmptyObject() {
    String keyId = w.newKey();
    WireResponse r = dispatchBytes("ListKeys", new byte[0]);
    assertThat(r.status(), equalTo(200));
    assertThat(parse(r.body()).get("Keys").get(0).get("KeyId").asText(), equalTo(keyId));
  }

  @Test
  void absentBody_isReadAsEmptyObject() {
    String keyId = w.newKey();
    WireResponse r = dispatchBytes("ListKeys", null);
    assertThat(r.status(), equalTo(200));
    assertThat(parse(r.body()).get("Keys").get(0).get("KeyId").asText(), equalTo(keyId));
  }

  @Test
  void unknownMembers_areIgnored() {
    w.newKey();
    w.newKey();
    JsonNode r =
        w.ok(
            "ListKeys",
            """
            {"Limit": 1, "FutureMember": {"Nested": [1, {"x": null}]}, "Other": "y"}""");
    assertThat(r.get("Keys").size(), equalTo(1));
    assertThat(r.get("Truncated").booleanValue(), is(true));
  }

  // ---- Targets --------------------------------------------------------------------------------

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "TrentService.Foo",
        "Foo.ReEncrypt",
        "TrentService.",
        "ReEncrypt",
        "",
        "TrentService.ReEncrypt.Extra"
      })
  void unknownTarget_isUnknownOperationException(String target) {
    assertError(
        w.dispatcher.dispatch(target, "{}".getBytes(StandardCharsets.UTF_8), EngineFixture.root()),
        400,
        "UnknownOperationException",
        null);
  }

  @Test
  void unknownTarget_withMalformedBody_isStillUnknownOperation() {
    assertError(
        w.dispatcher.dispatch(
            "TrentService.Foo",
            ("{\"Plaintext\": \"" + SECRET).getBytes(StandardCharsets.UTF_8),
            EngineFixture.root()),
        400,
        "UnknownOperationException",
        null);
  }
}
