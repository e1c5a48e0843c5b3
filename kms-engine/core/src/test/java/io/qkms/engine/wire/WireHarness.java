package io.qkms.engine.wire;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.api.Caller;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.testing.EngineFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@link Dispatcher} over a real engine ({@link EngineFixture}), driven with JSON text the
 * way an AWS client sends it. Responses are read with a plain Jackson mapper, not {@link
 * Json#mapper()}, so the tests see the wire as a client does.
 */
final class WireHarness implements AutoCloseable, AfterEachCallback {
  static final String ACCOUNT = "111122223333";
  static final String KEY_ARN_PREFIX = "arn:verenc:" + ACCOUNT + ":key/";
  static final String HEX64 = "[0-9a-f]{64}";

  /** The members of a ReEncrypt response (and of a BatchReEncrypt result), in the wire's order. */
  static final List<String> REENCRYPT_RESPONSE_MEMBERS =
      List.of(
          "CiphertextBlob",
          "SourceKeyId",
          "KeyId",
          "SourceEncryptionAlgorithm",
          "DestinationEncryptionAlgorithm",
          "SourceKeyMaterialId",
          "DestinationKeyMaterialId");

  static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  /** Every operation of the API, as the X-Amz-Target suffix names it. */
  static final List<String> OPERATIONS =
      List.of(
          "CreateKey",
          "DescribeKey",
          "ListKeys",
          "EnableKey",
          "DisableKey",
          "ScheduleKeyDeletion",
          "CancelKeyDeletion",
          "CreateAlias",
          "UpdateAlias",
          "DeleteAlias",
          "ListAliases",
          "Encrypt",
          "Decrypt",
          "ReEncrypt",
          "GenerateDataKey",
          "GenerateDataKeyWithoutPlaintext",
          "RotateKeyOnDemand",
          "EnableKeyRotation",
          "DisableKeyRotation",
          "GetKeyRotationStatus",
          "ListKeyRotations",
          "CreateGrant",
          "ListGrants",
          "RetireGrant",
          "RevokeGrant",
          "PutKeyPolicy",
          "GetKeyPolicy",
          "ReplicateKey");

  /** A client's view of JSON: an ordinary mapper, nothing QKMS-specific. */
  static final ObjectMapper CLIENT = JsonMapper.builder().build();

  final EngineFixture fixture;
  final Dispatcher dispatcher;

  WireHarness() {
    this(new EngineFixture());
  }

  WireHarness(EngineFixture fixture) {
    this.fixture = fixture;
    this.dispatcher = new Dispatcher(fixture.engine);
  }

  WireResponse call(String operation, String json) {
    return call(operation, json, EngineFixture.root());
  }

  WireResponse call(String operation, String json, Caller caller) {
    Operation<?, ?> op = Operations.named(operation);
    String target = op != null ? op.target() : Dispatcher.TARGET_PREFIX + operation;
    return dispatcher.dispatch(target, json.getBytes(StandardCharsets.UTF_8), caller);
  }

  /** Calls an operation that has output; asserts a 200 with a JSON object and returns it. */
  JsonNode ok(String operation, String json) {
    WireResponse r = call(operation, json);
    assertThat(r.bodyText(), r.status(), equalTo(200));
    assertThat(r.errorCode(), nullValue());
    JsonNode body = parse(r.body());
    assertThat(body.isObject(), is(true));
    return body;
  }

  /** Calls an operation without output; asserts a 200 with an empty body. */
  void okWithoutOutput(String operation, String json) {
    WireResponse r = call(operation, json);
    assertThat(r.bodyText(), r.status(), equalTo(200));
    assertThat(r.errorCode(), nullValue());
    assertThat(r.body().length, equalTo(0));
  }

  /** A new symmetric key made over the wire; its bare key ID. */
  String newKey() {
    return ok("CreateKey", "{}").get("KeyMetadata").get("KeyId").asText();
  }

  /** Base64 of a ciphertext made over the wire. */
  String encrypt(String keyId, String plaintext, String contextJson) {
    return ok(
            "Encrypt",
            """
            {"KeyId": "%s", "Plaintext": "%s", "EncryptionContext": %s}"""
                .formatted(keyId, b64(plaintext), contextJson))
        .get("CiphertextBlob")
        .asText();
  }

  JsonNode describe(String keyId) {
    return ok("DescribeKey", "{\"KeyId\": \"%s\"}".formatted(keyId)).get("KeyMetadata");
  }

  static String arn(String keyId) {
    return KEY_ARN_PREFIX + keyId;
  }

  static String b64(String utf8) {
    return b64(utf8.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] unb64(JsonNode node) {
    assertThat(node + " is a base64 string", node.isTextual(), is(true));
    return Base64.getDecoder().decode(node.asText());
  }

  static JsonNode parse(byte[] json) {
    try {
      return CLIENT.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new LinkedHashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * Asserts an error answer exactly: the status, the error code, and a body that is precisely
   * {@code {"__type": code, "message": message}}, or {@code {"__type": code}} when {@code message}
   * is null.
   */
  static void assertError(WireResponse r, int status, String code, String message) {
    ObjectNode expected = CLIENT.createObjectNode().put("__type", code);
    if (message != null) {
      expected.put("message", message);
    }
    assertThat(r.bodyText(), r.status(), equalTo(status));
    assertThat(parse(r.body()), equalTo(expected));
    assertThat(r.errorCode(), equalTo(code));
    assertThat(r.isError(), is(true));
  }

  @Override
  public void close() {
    fixture.close();
  }

  /** Registered with {@code @RegisterExtension}, a harness per test is closed after it. */
  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }
}
