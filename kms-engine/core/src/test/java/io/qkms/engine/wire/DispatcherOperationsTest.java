package io.qkms.engine.wire;

import static io.qkms.engine.wire.WireHarness.HEX64;
import static io.qkms.engine.wire.WireHarness.UUID;
import static io.qkms.engine.wire.WireHarness.arn;
import static io.qkms.engine.wire.WireHarness.b64;
import static io.qkms.engine.wire.WireHarness.fieldNames;
import static io.qkms.engine.wire.WireHarness.parse;
import static io.qkms.engine.wire.WireHarness.unb64;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.engine.api.Operation;
import io.qkms.engine.api.Operations;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.internal.auth.GrantToken;
import io.qkms.engine.testing.EngineFixture;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each of the 28 operations through {@code dispatch("TrentService.<Op>", json, caller)} over a real
 * engine: a 200 whose JSON uses the AWS member names and shapes (ARNs for KeyId in responses,
 * base64 blobs, epoch-second numbers for dates), or an empty body for operations without output,
 * whose effect is then observed over the wire.
 */
class DispatcherOperationsTest {
  private static final String ALICE = "arn:verenc:111122223333:user/alice";

  @RegisterExtension final WireHarness w = new WireHarness(); // one per test, closed after it

  /** Epoch seconds with milliseconds, as the wire writes a date. */
  private static String epoch(Instant t) {
    return BigDecimal.valueOf(t.toEpochMilli(), 3).toPlainString();
  }

  private Instant now() {
    return w.fixture.clock.instant();
  }

  private byte[] decryptWithEngine(byte[] blob, Map<String, String> context) {
    return w.fixture
        .engine
        .decrypt(
            EngineFixture.root(),
            DecryptRequest.builder().ciphertextBlob(blob).encryptionContext(context).build())
        .plaintext();
  }

  @Test
  void dispatcher_servesTheTwentyEightAwsOperations_andBatchReEncryptAsQkmsService() {
    List<String> aws =
        Operations.all().stream()
            .filter(op -> op.service().equals("TrentService"))
            .map(Operation::name)
            .toList();
    assertThat(aws, contains(WireHarness.OPERATIONS.toArray()));
    for (String name : WireHarness.OPERATIONS) {
      assertThat(name, Dispatcher.operation(Dispatcher.TARGET_PREFIX + name).name(), equalTo(name));
      assertThat(name, w.call(name, "{}").errorCode(), not(equalTo("UnknownOperationException")));
    }
    assertThat(
        Dispatcher.operation("QkmsService.BatchReEncrypt").name(), equalTo("BatchReEncrypt"));
    assertThat(Dispatcher.operation("TrentService.BatchReEncrypt"), equalTo(null));
    assertThat(Dispatcher.operation("QkmsService.ReEncrypt"), equalTo(null));
    assertThat(
        w.dispatcher
            .dispatch("TrentService.BatchReEncrypt", new byte[0], EngineFixture.root())
            .errorCode(),
        equalTo("UnknownOperationException"));
  }

  // ---- Keys -----------------------------------------------------------------------------------

  @Test
  void createKey_answersKeyMetadataWithAwsMemberNames() {
    JsonNode r =
        w.ok(
            "CreateKey",
            """
            {"Description": "wire test", "KeyUsage": "ENCRYPT_DECRYPT", \
            "KeySpec": "SYMMETRIC_DEFAULT"}""");
    JsonNode m = r.get("KeyMetadata");
    String keyId = m.get("KeyId").asText();
    String materialId = m.get("CurrentKeyMaterialId").asText();
    assertThat(keyId, matchesPattern(UUID));
    assertThat(materialId, matchesPattern(HEX64));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"KeyMetadata": {
                  "AWSAccountId": "111122223333",
                  "KeyId": "%s",
                  "Arn": "arn:verenc:111122223333:key/%s",
                  "CreationDate": %s,
                  "Enabled": true,
                  "Description": "wire test",
                  "KeyUsage": "ENCRYPT_DECRYPT",
                  "KeyState": "Enabled",
                  "Origin": "AWS_KMS",
                  "KeyManager": "CUSTOMER",
                  "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                  "KeySpec": "SYMMETRIC_DEFAULT",
                  "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                  "MultiRegion": false,
                  "CurrentKeyMaterialId": "%s"}}"""
                    .formatted(keyId, keyId, epoch(now()), materialId))));
  }

  @Test
  void createKey_creationDateIsEpochSecondsNumberWithMillis() {
    w.fixture.clock.advance(Duration.ofMillis(1234));
    JsonNode date = w.ok("CreateKey", "{}").get("KeyMetadata").get("CreationDate");
    assertThat(date.isNumber(), is(true));
    // 2026-01-01T00:00:01.234Z
    assertThat(date.decimalValue().compareTo(new BigDecimal("1767225601.234")), equalTo(0));
  }

  @Test
  void describeKey_byAliasName_answersThatKeysMetadata() {
    String keyId = w.newKey();
    w.okWithoutOutput(
        "CreateAlias",
        "{\"AliasName\": \"alias/payroll\", \"TargetKeyId\": \"%s\"}".formatted(keyId));
    JsonNode r = w.ok("DescribeKey", "{\"KeyId\": \"alias/payroll\", \"GrantTokens\": []}");
    assertThat(fieldNames(r), equalTo(Set.of("KeyMetadata")));
    assertThat(r.get("KeyMetadata").get("KeyId").asText(), equalTo(keyId));
    assertThat(r.get("KeyMetadata").get("Arn").asText(), equalTo(arn(keyId)));
  }

  @Test
  void listKeys_answersKeyIdAndKeyArnOfEachKey() {
    String a = w.newKey();
    String b = w.newKey();
    JsonNode r = w.ok("ListKeys", "{}");
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"Keys": [{"KeyId": "%s", "KeyArn": "%s"}, {"KeyId": "%s", "KeyArn": "%s"}],
                 "Truncated": false}"""
                    .formatted(a, arn(a), b, arn(b)))));
  }

  @Test
  void disableKey_answersEmptyBody_andTheKeyIsDisabled() {
    String keyId = w.newKey();
    w.okWithoutOutput("DisableKey", "{\"KeyId\": \"%s\"}".formatted(keyId));
    JsonNode m = w.describe(keyId);
    assertThat(m.get("KeyState").asText(), equalTo("Disabled"));
    assertThat(m.get("Enabled").booleanValue(), is(false));
  }

  @Test
  void enableKey_answersEmptyBody_andTheKeyIsEnabledAgain() {
    String keyId = w.newKey();
    w.okWithoutOutput("DisableKey", "{\"KeyId\": \"%s\"}".formatted(keyId));
    w.okWithoutOutput("EnableKey", "{\"KeyId\": \"%s\"}".formatted(arn(keyId)));
    JsonNode m = w.describe(keyId);
    assertThat(m.get("KeyState").asText(), equalTo("Enabled"));
    assertThat(m.get("Enabled").booleanValue(), is(true));
  }

  @Test
  void scheduleKeyDeletion_answersArnDeletionDateStateAndWindow() {
    String keyId = w.newKey();
    JsonNode r =
        w.ok(
            "ScheduleKeyDeletion",
            "{\"KeyId\": \"%s\", \"PendingWindowInDays\": 7}".formatted(keyId));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"KeyId": "%s", "DeletionDate": %s, "KeyState": "PendingDeletion",
                 "PendingWindowInDays": 7}"""
                    .formatted(arn(keyId), epoch(now().plus(Duration.ofDays(7)))))));
  }

  @Test
  void cancelKeyDeletion_answersArn_andTheKeyComesBackDisabled() {
    String keyId = w.newKey();
    w.ok("ScheduleKeyDeletion", "{\"KeyId\": \"%s\"}".formatted(keyId));
    JsonNode r = w.ok("CancelKeyDeletion", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(r, equalTo(parse("{\"KeyId\": \"%s\"}".formatted(arn(keyId)))));
    assertThat(w.describe(keyId).get("KeyState").asText(), equalTo("Disabled"));
  }

  // ---- Aliases --------------------------------------------------------------------------------

  @Test
  void createAlias_answersEmptyBody_andListAliasesShowsIt() {
    String keyId = w.newKey();
    w.okWithoutOutput(
        "CreateAlias",
        "{\"AliasName\": \"alias/wire-test\", \"TargetKeyId\": \"%s\"}".formatted(keyId));
    JsonNode r = w.ok("ListAliases", "{}");
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"Aliases": [{"AliasName": "alias/wire-test",
                              "AliasArn": "arn:verenc:111122223333:alias/wire-test",
                              "TargetKeyId": "%s",
                              "CreationDate": %s,
                              "LastUpdatedDate": %s}],
                 "Truncated": false}"""
                    .formatted(keyId, epoch(now()), epoch(now())))));
  }

  @Test
  void updateAlias_answersEmptyBody_andTheAliasPointsToTheNewKey() {
    String first = w.newKey();
    String second = w.newKey();
    Instant created = now();
    w.okWithoutOutput(
        "CreateAlias",
        "{\"AliasName\": \"alias/current\", \"TargetKeyId\": \"%s\"}".formatted(first));
    w.fixture.clock.advance(Duration.ofSeconds(5));
    w.okWithoutOutput(
        "UpdateAlias",
        "{\"AliasName\": \"alias/current\", \"TargetKeyId\": \"%s\"}".formatted(second));
    JsonNode alias = w.ok("ListAliases", "{\"KeyId\": \"%s\"}".formatted(second)).get("Aliases");
    assertThat(
        alias,
        equalTo(
            parse(
                """
                [{"AliasName": "alias/current",
                  "AliasArn": "arn:verenc:111122223333:alias/current",
                  "TargetKeyId": "%s",
                  "CreationDate": %s,
                  "LastUpdatedDate": %s}]"""
                    .formatted(second, epoch(created), epoch(now())))));
  }

  @Test
  void deleteAlias_answersEmptyBody_andTheAliasIsGone() {
    String keyId = w.newKey();
    w.okWithoutOutput(
        "CreateAlias",
        "{\"AliasName\": \"alias/short-lived\", \"TargetKeyId\": \"%s\"}".formatted(keyId));
    w.okWithoutOutput("DeleteAlias", "{\"AliasName\": \"alias/short-lived\"}");
    assertThat(
        w.ok("ListAliases", "{}"), equalTo(parse("{\"Aliases\": [], \"Truncated\": false}")));
  }

  @Test
  void listAliases_withLimit_answersAPageAndAMarker() {
    String keyId = w.newKey();
    for (String name : new String[] {"alias/a", "alias/b"}) {
      w.okWithoutOutput(
          "CreateAlias", "{\"AliasName\": \"%s\", \"TargetKeyId\": \"%s\"}".formatted(name, keyId));
    }
    JsonNode first = w.ok("ListAliases", "{\"Limit\": 1}");
    assertThat(fieldNames(first), equalTo(Set.of("Aliases", "NextMarker", "Truncated")));
    assertThat(first.get("Aliases").get(0).get("AliasName").asText(), equalTo("alias/a"));
    assertThat(first.get("Truncated").booleanValue(), is(true));
    JsonNode second =
        w.ok(
            "ListAliases",
            "{\"Limit\": 1, \"Marker\": \"%s\"}".formatted(first.get("NextMarker").asText()));
    assertThat(fieldNames(second), equalTo(Set.of("Aliases", "Truncated")));
    assertThat(second.get("Aliases").get(0).get("AliasName").asText(), equalTo("alias/b"));
    assertThat(second.get("Truncated").booleanValue(), is(false));
  }

  // ---- Cryptographic operations ---------------------------------------------------------------

  @Test
  void encrypt_answersBase64CiphertextBlobAndKeyArn() {
    String keyId = w.newKey();
    JsonNode r =
        w.ok(
            "Encrypt",
            """
            {"KeyId": "%s", "Plaintext": "%s", "EncryptionContext": {"Department": "Finance"}}"""
                .formatted(keyId, b64("quarterly numbers")));
    assertThat(fieldNames(r), equalTo(Set.of("CiphertextBlob", "KeyId", "EncryptionAlgorithm")));
    assertThat(r.get("KeyId").asText(), equalTo(arn(keyId)));
    assertThat(r.get("EncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    byte[] blob = unb64(r.get("CiphertextBlob"));
    assertThat(blob[0], equalTo((byte) 'Q'));
    assertThat(
        new String(
            decryptWithEngine(blob, Map.of("Department", "Finance")), StandardCharsets.UTF_8),
        equalTo("quarterly numbers"));
  }

  @Test
  void decrypt_answersBase64PlaintextKeyArnAndMaterialId() {
    String keyId = w.newKey();
    String blob = w.encrypt(keyId, "quarterly numbers", "{\"Department\": \"Finance\"}");
    JsonNode r =
        w.ok(
            "Decrypt",
            """
            {"CiphertextBlob": "%s", "EncryptionContext": {"Department": "Finance"}}"""
                .formatted(blob));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"KeyId": "%s", "Plaintext": "%s", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                 "KeyMaterialId": "%s"}"""
                    .formatted(
                        arn(keyId),
                        b64("quarterly numbers"),
                        w.describe(keyId).get("CurrentKeyMaterialId").asText()))));
  }

  @Test
  void reEncrypt_answersBothArnsAlgorithmsAndMaterialIds() {
    String source = w.newKey();
    String destination = w.newKey();
    String blob = w.encrypt(source, "quarterly numbers", "{\"Department\": \"Finance\"}");
    JsonNode r =
        w.ok(
            "ReEncrypt",
            """
            {"CiphertextBlob": "%s", "SourceKeyId": "%s", "DestinationKeyId": "%s",
             "SourceEncryptionContext": {"Department": "Finance"},
             "DestinationEncryptionContext": {"Purpose": "Test"}}"""
                .formatted(blob, source, destination));
    assertThat(fieldNames(r), equalTo(Set.copyOf(WireHarness.REENCRYPT_RESPONSE_MEMBERS)));
    assertThat(r.get("SourceKeyId").asText(), equalTo(arn(source)));
    assertThat(r.get("KeyId").asText(), equalTo(arn(destination)));
    assertThat(r.get("SourceEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(r.get("DestinationEncryptionAlgorithm").asText(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(
        r.get("SourceKeyMaterialId").asText(),
        equalTo(w.describe(source).get("CurrentKeyMaterialId").asText()));
    assertThat(
        r.get("DestinationKeyMaterialId").asText(),
        equalTo(w.describe(destination).get("CurrentKeyMaterialId").asText()));
    assertThat(
        new String(
            decryptWithEngine(unb64(r.get("CiphertextBlob")), Map.of("Purpose", "Test")),
            StandardCharsets.UTF_8),
        equalTo("quarterly numbers"));
  }

  @Test
  void generateDataKey_answersPlaintextAndItsCiphertext() {
    String keyId = w.newKey();
    JsonNode r =
        w.ok(
            "GenerateDataKey",
            """
            {"KeyId": "%s", "KeySpec": "AES_256", "EncryptionContext": {"Purpose": "Test"}}"""
                .formatted(keyId));
    assertThat(
        fieldNames(r), equalTo(Set.of("CiphertextBlob", "Plaintext", "KeyId", "KeyMaterialId")));
    assertThat(r.get("KeyId").asText(), equalTo(arn(keyId)));
    assertThat(
        r.get("KeyMaterialId").asText(),
        equalTo(w.describe(keyId).get("CurrentKeyMaterialId").asText()));
    byte[] plaintext = unb64(r.get("Plaintext"));
    assertThat(plaintext.length, equalTo(32));
    assertThat(
        decryptWithEngine(unb64(r.get("CiphertextBlob")), Map.of("Purpose", "Test")),
        equalTo(plaintext));
  }

  @Test
  void generateDataKeyWithoutPlaintext_answersOnlyTheCiphertext() {
    String keyId = w.newKey();
    JsonNode r =
        w.ok(
            "GenerateDataKeyWithoutPlaintext",
            "{\"KeyId\": \"%s\", \"NumberOfBytes\": 16}".formatted(keyId));
    assertThat(fieldNames(r), equalTo(Set.of("CiphertextBlob", "KeyId", "KeyMaterialId")));
    assertThat(r.get("KeyId").asText(), equalTo(arn(keyId)));
    assertThat(decryptWithEngine(unb64(r.get("CiphertextBlob")), null).length, equalTo(16));
  }

  // ---- Rotation -------------------------------------------------------------------------------

  @Test
  void rotateKeyOnDemand_answersArn_andTheCurrentMaterialChanges() {
    String keyId = w.newKey();
    String before = w.describe(keyId).get("CurrentKeyMaterialId").asText();
    JsonNode r = w.ok("RotateKeyOnDemand", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(r, equalTo(parse("{\"KeyId\": \"%s\"}".formatted(arn(keyId)))));
    String after = w.describe(keyId).get("CurrentKeyMaterialId").asText();
    assertThat(after, matchesPattern(HEX64));
    assertThat(after, not(equalTo(before)));
  }

  @Test
  void enableKeyRotation_answersEmptyBody_andTheStatusShowsThePeriod() {
    String keyId = w.newKey();
    w.okWithoutOutput(
        "EnableKeyRotation", "{\"KeyId\": \"%s\", \"RotationPeriodInDays\": 90}".formatted(keyId));
    JsonNode r = w.ok("GetKeyRotationStatus", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"KeyRotationEnabled": true, "KeyId": "%s", "RotationPeriodInDays": 90,
                 "NextRotationDate": %s}"""
                    .formatted(arn(keyId), epoch(now().plus(Duration.ofDays(90)))))));
  }

  @Test
  void disableKeyRotation_answersEmptyBody_andTheStatusShowsRotationOff() {
    String keyId = w.newKey();
    w.okWithoutOutput("EnableKeyRotation", "{\"KeyId\": \"%s\"}".formatted(keyId));
    w.okWithoutOutput("DisableKeyRotation", "{\"KeyId\": \"%s\"}".formatted(keyId));
    JsonNode r = w.ok("GetKeyRotationStatus", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(
        r,
        equalTo(parse("{\"KeyRotationEnabled\": false, \"KeyId\": \"%s\"}".formatted(arn(keyId)))));
  }

  @Test
  void getKeyRotationStatus_ofANewKey_answersRotationOffAndTheKeyArn() {
    String keyId = w.newKey();
    JsonNode r = w.ok("GetKeyRotationStatus", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(fieldNames(r), equalTo(Set.of("KeyRotationEnabled", "KeyId")));
    assertThat(r.get("KeyRotationEnabled").isBoolean(), is(true));
    assertThat(r.get("KeyRotationEnabled").booleanValue(), is(false));
    assertThat(r.get("KeyId").asText(), equalTo(arn(keyId)));
  }

  @Test
  void listKeyRotations_answersTheOnDemandRotation() {
    String keyId = w.newKey();
    w.fixture.clock.advance(Duration.ofSeconds(30));
    w.ok("RotateKeyOnDemand", "{\"KeyId\": \"%s\"}".formatted(keyId));
    String material = w.describe(keyId).get("CurrentKeyMaterialId").asText();
    JsonNode r = w.ok("ListKeyRotations", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"Rotations": [{"KeyId": "%s", "KeyMaterialId": "%s",
                                "KeyMaterialState": "CURRENT", "RotationDate": %s,
                                "RotationType": "ON_DEMAND"}],
                 "Truncated": false}"""
                    .formatted(arn(keyId), material, epoch(now())))));
  }

  // ---- Grants ---------------------------------------------------------------------------------

  private JsonNode createGrant(String keyId) {
    return w.ok(
        "CreateGrant",
        """
        {"KeyId": "%s", "GranteePrincipal": "%s", "Operations": ["Decrypt"],
         "Constraints": {"EncryptionContextSubset": {"Department": "Finance"}},
         "Name": "wire-grant"}"""
            .formatted(keyId, ALICE));
  }

  @Test
  void createGrant_answersGrantIdAndATokenNamingIt() {
    String keyId = w.newKey();
    JsonNode r = createGrant(keyId);
    assertThat(fieldNames(r), equalTo(Set.of("GrantToken", "GrantId")));
    String grantId = r.get("GrantId").asText();
    assertThat(grantId, matchesPattern(HEX64));
    assertThat(GrantToken.decode(r.get("GrantToken").asText()).grantId(), equalTo(grantId));
  }

  @Test
  void listGrants_answersTheGrantWithAwsMemberNames() {
    String keyId = w.newKey();
    String grantId = createGrant(keyId).get("GrantId").asText();
    JsonNode r = w.ok("ListGrants", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(
        r,
        equalTo(
            parse(
                """
                {"Grants": [{"KeyId": "%s", "GrantId": "%s", "Name": "wire-grant",
                             "CreationDate": %s, "GranteePrincipal": "%s",
                             "IssuingAccount": "arn:verenc:111122223333:root", "Operations": ["Decrypt"],
                             "Constraints": {"EncryptionContextSubset": {"Department": "Finance"}}}],
                 "Truncated": false}"""
                    .formatted(arn(keyId), grantId, epoch(now()), ALICE))));
  }

  @Test
  void retireGrant_byToken_answersEmptyBody_andTheGrantIsGone() {
    String keyId = w.newKey();
    String token = createGrant(keyId).get("GrantToken").asText();
    w.okWithoutOutput("RetireGrant", "{\"GrantToken\": \"%s\"}".formatted(token));
    assertThat(
        w.ok("ListGrants", "{\"KeyId\": \"%s\"}".formatted(keyId)),
        equalTo(parse("{\"Grants\": [], \"Truncated\": false}")));
  }

  @Test
  void revokeGrant_answersEmptyBody_andTheGrantIsGone() {
    String keyId = w.newKey();
    String grantId = createGrant(keyId).get("GrantId").asText();
    w.okWithoutOutput(
        "RevokeGrant", "{\"KeyId\": \"%s\", \"GrantId\": \"%s\"}".formatted(keyId, grantId));
    assertThat(
        w.ok("ListGrants", "{\"KeyId\": \"%s\"}".formatted(keyId)),
        equalTo(parse("{\"Grants\": [], \"Truncated\": false}")));
  }

  // ---- Key policies and replication -----------------------------------------------------------

  @Test
  void getKeyPolicy_answersTheDefaultPolicyAndItsName() {
    String keyId = w.newKey();
    JsonNode r = w.ok("GetKeyPolicy", "{\"KeyId\": \"%s\"}".formatted(keyId));
    assertThat(fieldNames(r), equalTo(Set.of("Policy", "PolicyName")));
    assertThat(r.get("PolicyName").asText(), equalTo("default"));
    // The policy travels as a JSON document inside a string member.
    assertThat(
        parse(r.get("Policy").asText()),
        equalTo(
            parse(
                """
                {"Version": "2012-10-17", "Id": "key-default-1",
                 "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                "Principal": {"AWS": "arn:verenc:111122223333:root"},
                                "Action": "kms:*", "Resource": "*"}]}""")));
  }

  @Test
  void putKeyPolicy_answersEmptyBody_andGetKeyPolicyReturnsItVerbatim() throws Exception {
    String keyId = w.newKey();
    String policy =
        """
        {"Version": "2012-10-17", "Statement": [{"Sid": "Root", "Effect": "Allow", \
        "Principal": {"AWS": "arn:verenc:111122223333:root"}, "Action": "kms:*", \
        "Resource": "*"}]}""";
    String body =
        WireHarness.CLIENT.writeValueAsString(
            Map.of("KeyId", keyId, "PolicyName", "default", "Policy", policy));
    w.okWithoutOutput("PutKeyPolicy", body);
    JsonNode r =
        w.ok("GetKeyPolicy", "{\"KeyId\": \"%s\", \"PolicyName\": \"default\"}".formatted(keyId));
    assertThat(r.get("Policy").asText(), equalTo(policy));
  }

  @Test
  void replicateKey_answersReplicaMetadataWithMultiRegionConfiguration() {
    String keyId =
        w.ok("CreateKey", "{\"MultiRegion\": true}").get("KeyMetadata").get("KeyId").asText();
    assertThat(keyId, matchesPattern("mrk-[0-9a-f]{32}"));
    JsonNode r =
        w.ok(
            "ReplicateKey",
            "{\"KeyId\": \"%s\", \"ReplicaRegion\": \"eu-west-1\"}".formatted(arn(keyId)));
    assertThat(fieldNames(r), equalTo(Set.of("ReplicaKeyMetadata", "ReplicaPolicy")));
    JsonNode m = r.get("ReplicaKeyMetadata");
    assertThat(m.get("Arn").asText(), equalTo(arn(keyId)));
    assertThat(m.get("KeyId").asText(), equalTo(keyId));
    assertThat(m.get("MultiRegion").booleanValue(), is(true));
    assertThat(
        m.get("MultiRegionConfiguration"),
        equalTo(
            parse(
                """
                {"MultiRegionKeyType": "REPLICA",
                 "PrimaryKey": {"Arn": "%s", "Region": "us-east-1"},
                 "ReplicaKeys": [{"Arn": "%s", "Region": "eu-west-1"}]}"""
                    .formatted(arn(keyId), arn(keyId)))));
    assertThat(
        parse(r.get("ReplicaPolicy").asText()).get("Statement").get(0).get("Principal"),
        equalTo(parse("{\"AWS\": \"arn:verenc:111122223333:root\"}")));
  }
}
