package io.qkms.engine.wire;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.qkms.engine.api.Kms;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.internal.auth.GrantOperationNames;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The operation catalogue agrees with the engine: one entry per {@link Kms} method, with that
 * method's request type, and "writes the store" exactly for the operations whose successful call
 * commits a new store revision. Every entry needs a case below: a catalogue entry without one fails
 * here.
 */
class OperationCatalogueTest {
  private static final String ALICE = "arn:verenc:111122223333:user/alice";

  /** One successful call of an operation: prepares what it needs, then gives its request JSON. */
  private static final Map<String, Function<WireHarness, String>> CASES = new HashMap<>();

  static {
    CASES.put("CreateKey", w -> "{}");
    CASES.put("DescribeKey", w -> keyId(w.newKey()));
    CASES.put("ListKeys", w -> "{}");
    CASES.put(
        "EnableKey",
        w -> {
          String k = w.newKey();
          w.okWithoutOutput("DisableKey", keyId(k));
          return keyId(k);
        });
    CASES.put("DisableKey", w -> keyId(w.newKey()));
    CASES.put("ScheduleKeyDeletion", w -> keyId(w.newKey()));
    CASES.put(
        "CancelKeyDeletion",
        w -> {
          String k = w.newKey();
          w.ok("ScheduleKeyDeletion", keyId(k));
          return keyId(k);
        });
    CASES.put("CreateAlias", w -> alias(w.newKey()));
    CASES.put(
        "UpdateAlias",
        w -> {
          w.okWithoutOutput("CreateAlias", alias(w.newKey()));
          return alias(w.newKey());
        });
    CASES.put(
        "DeleteAlias",
        w -> {
          w.okWithoutOutput("CreateAlias", alias(w.newKey()));
          return "{\"AliasName\": \"alias/catalogue\"}";
        });
    CASES.put("ListAliases", w -> "{}");
    CASES.put(
        "Encrypt", w -> "{\"KeyId\": \"%s\", \"Plaintext\": \"aGVsbG8=\"}".formatted(w.newKey()));
    CASES.put(
        "Decrypt",
        w -> "{\"CiphertextBlob\": \"%s\"}".formatted(w.encrypt(w.newKey(), "hello", "{}")));
    CASES.put(
        "ReEncrypt",
        w ->
            "{\"CiphertextBlob\": \"%s\", \"DestinationKeyId\": \"%s\"}"
                .formatted(w.encrypt(w.newKey(), "hello", "{}"), w.newKey()));
    CASES.put(
        "GenerateDataKey", w -> "{\"KeyId\": \"%s\", \"NumberOfBytes\": 32}".formatted(w.newKey()));
    CASES.put(
        "GenerateDataKeyWithoutPlaintext",
        w -> "{\"KeyId\": \"%s\", \"NumberOfBytes\": 32}".formatted(w.newKey()));
    CASES.put("RotateKeyOnDemand", w -> keyId(w.newKey()));
    CASES.put("EnableKeyRotation", w -> keyId(w.newKey()));
    CASES.put(
        "DisableKeyRotation",
        w -> {
          String k = w.newKey();
          w.okWithoutOutput("EnableKeyRotation", keyId(k));
          return keyId(k);
        });
    CASES.put("GetKeyRotationStatus", w -> keyId(w.newKey()));
    CASES.put("ListKeyRotations", w -> keyId(w.newKey()));
    CASES.put("CreateGrant", w -> grant(w.newKey()));
    CASES.put("ListGrants", w -> keyId(w.newKey()));
    CASES.put(
        "RetireGrant",
        w ->
            "{\"GrantToken\": \"%s\"}"
                .formatted(w.ok("CreateGrant", grant(w.newKey())).get("GrantToken").asText()));
    CASES.put(
        "RevokeGrant",
        w -> {
          String k = w.newKey();
          String grantId = w.ok("CreateGrant", grant(k)).get("GrantId").asText();
          return "{\"KeyId\": \"%s\", \"GrantId\": \"%s\"}".formatted(k, grantId);
        });
    CASES.put(
        "PutKeyPolicy",
        w -> {
          String k = w.newKey();
          String policy = w.ok("GetKeyPolicy", keyId(k)).get("Policy").asText();
          return WireHarness.CLIENT
              .createObjectNode()
              .put("KeyId", k)
              .put("PolicyName", "default")
              .put("Policy", policy)
              .toString();
        });
    CASES.put("GetKeyPolicy", w -> keyId(w.newKey()));
    CASES.put(
        "ReplicateKey",
        w -> {
          String k =
              w.ok("CreateKey", "{\"MultiRegion\": true}").get("KeyMetadata").get("KeyId").asText();
          return "{\"KeyId\": \"%s\", \"ReplicaRegion\": \"eu-west-1\"}".formatted(k);
        });
  }

  static {
    CASES.put(
        "BatchReEncrypt",
        w ->
            "{\"Items\": [{\"CiphertextBlob\": \"%s\", \"DestinationKeyId\": \"%s\"}]}"
                .formatted(w.encrypt(w.newKey(), "hello", "{}"), w.newKey()));
  }

  private static String keyId(String keyId) {
    return "{\"KeyId\": \"%s\"}".formatted(keyId);
  }

  private static String alias(String target) {
    return "{\"AliasName\": \"alias/catalogue\", \"TargetKeyId\": \"%s\"}".formatted(target);
  }

  private static String grant(String keyId) {
    return "{\"KeyId\": \"%s\", \"GranteePrincipal\": \"%s\", \"Operations\": [\"Decrypt\"]}"
        .formatted(keyId, ALICE);
  }

  private static long revision(WireHarness w) {
    return w.fixture.store.read(Duration.ofSeconds(5)).revision();
  }

  @Test
  void catalogue_hasOneEntryPerKmsMethod_withThatMethodsRequestType() {
    List<Method> methods =
        Arrays.stream(Kms.class.getMethods())
            .sorted((a, b) -> a.getName().compareTo(b.getName()))
            .toList();
    assertThat(Operations.all().size(), equalTo(methods.size()));
    for (Method m : methods) {
      String name = Character.toUpperCase(m.getName().charAt(0)) + m.getName().substring(1);
      Operation<?, ?> op = Operations.named(name);
      assertThat(name + " is in the catalogue", op != null, equalTo(true));
      assertThat(name, op.requestType(), equalTo(m.getParameterTypes()[1]));
    }
  }

  @Test
  void writesStore_isTrueExactlyForTheOperationsThatCommitANewRevision() {
    for (Operation<?, ?> op : Operations.all()) {
      Function<WireHarness, String> request = CASES.get(op.name());
      assertThat("a case for " + op.name(), request != null, equalTo(true));
      try (WireHarness w = new WireHarness()) {
        String json = request.apply(w);
        long before = revision(w);
        WireResponse r = w.call(op.name(), json);
        assertThat(op.name() + ": " + r.bodyText(), r.status(), equalTo(200));
        if (op.writesStore()) {
          assertThat(op.name() + " writes", revision(w), greaterThan(before));
        } else {
          assertThat(op.name() + " only reads", revision(w), equalTo(before));
        }
      }
    }
  }

  @Test
  void grantOperations_areGrantOperationNames_andEveryOneQkmsServesIsInTheCatalogue() {
    List<String> inCatalogue =
        Operations.all().stream().flatMap(op -> op.grantOperations().stream()).toList();
    assertThat(GrantOperationNames.ALL.containsAll(inCatalogue), equalTo(true));
    assertThat(
        inCatalogue,
        equalTo(
            List.of(
                "DescribeKey",
                "Encrypt",
                "Decrypt",
                "ReEncryptFrom",
                "ReEncryptTo",
                "GenerateDataKey",
                "GenerateDataKeyWithoutPlaintext",
                "CreateGrant",
                "RetireGrant",
                "ReEncryptFrom",
                "ReEncryptTo")));
  }
}
