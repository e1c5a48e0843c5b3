package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.DisabledException;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.IncorrectKeyException;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * The AWS SDK for Java v2's {@link KmsClient}, unchanged but for {@code endpointOverride}, against
 * a QKMS endpoint on 127.0.0.1: the calls a re-keying client makes, and the exception classes the
 * SDK raises for QKMS's errors (it picks them by {@code __type}).
 */
@Timeout(60)
class KmsSdkClientTest {
  private static final String ACCOUNT = "111122223333";
  private static final Map<String, String> CONTEXT = Map.of("Department", "Finance");
  private static final SdkBytes PLAINTEXT =
      SdkBytes.fromString("card 4111 1111 1111 1111", StandardCharsets.UTF_8);

  private static TestEndpoint endpoint;
  private static KmsClient root;

  @BeforeAll
  static void start() throws Exception {
    endpoint = TestEndpoint.start(Clock.systemUTC()); // the SDK signs with the real time
    root = client(endpoint.rootKey.accessKeyId(), endpoint.rootKey.secretAccessKey(), "us-east-1");
  }

  @AfterAll
  static void stop() throws Exception {
    root.close();
    endpoint.close();
  }

  static KmsClient client(String accessKeyId, String secret, String region) {
    return KmsClient.builder()
        .endpointOverride(URI.create(endpoint.server.endpoint().toString()))
        .region(Region.of(region))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build();
  }

  private static KeyMetadata newKey(KmsClient client) {
    return client.createKey(b -> b.description("sdk test")).keyMetadata();
  }

  private static String newAlias(KmsClient client, String keyId) {
    String alias = "alias/sdk-" + UUID.randomUUID();
    client.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
    return alias;
  }

  private static SdkBytes encrypt(String keyId) {
    return root.encrypt(b -> b.keyId(keyId).plaintext(PLAINTEXT).encryptionContext(CONTEXT))
        .ciphertextBlob();
  }

  @Test
  void createKey_returnsAnEnabledSymmetricKeyOfTheAccount() {
    KeyMetadata key = newKey(root);

    assertThat(key.arn(), equalTo("arn:verenc:" + ACCOUNT + ":key/" + key.keyId()));
    assertThat(key.keyState(), equalTo(KeyState.ENABLED));
    assertThat(key.keySpecAsString(), equalTo("SYMMETRIC_DEFAULT"));
    assertThat(key.description(), equalTo("sdk test"));
  }

  @Test
  void encryptThroughAlias_decryptsToThePlaintext() {
    KeyMetadata key = newKey(root);
    String alias = newAlias(root, key.keyId());

    EncryptResponse enc =
        root.encrypt(b -> b.keyId(alias).plaintext(PLAINTEXT).encryptionContext(CONTEXT));
    DecryptResponse dec =
        root.decrypt(b -> b.ciphertextBlob(enc.ciphertextBlob()).encryptionContext(CONTEXT));

    assertThat(enc.keyId(), equalTo(key.arn()));
    assertThat(dec.plaintext(), equalTo(PLAINTEXT));
    assertThat(dec.keyId(), equalTo(key.arn()));
  }

  /** The four ways to name a key: ID, key ARN, alias name, alias ARN. */
  static Stream<String> keyIdForms() {
    return Stream.of("id", "arn", "alias", "aliasArn");
  }

  private static String form(String form, KeyMetadata key, String alias) {
    return switch (form) {
      case "id" -> key.keyId();
      case "arn" -> key.arn();
      case "alias" -> alias;
      case "aliasArn" -> "arn:verenc:" + ACCOUNT + ":" + alias;
      default -> throw new IllegalArgumentException(form);
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyIdForms")
  void reEncrypt_withSourceKeyIdAndDestination_inEachKeyIdForm_decryptsUnderTheDestination(
      String form) {
    KeyMetadata source = newKey(root);
    String sourceAlias = newAlias(root, source.keyId());
    KeyMetadata destination = newKey(root);
    String destinationAlias = newAlias(root, destination.keyId());
    SdkBytes blob = encrypt(source.keyId());
    Map<String, String> newContext = Map.of("Purpose", "Test");

    ReEncryptResponse r =
        root.reEncrypt(
            b ->
                b.ciphertextBlob(blob)
                    .sourceKeyId(form(form, source, sourceAlias))
                    .sourceEncryptionContext(CONTEXT)
                    .destinationKeyId(form(form, destination, destinationAlias))
                    .destinationEncryptionContext(newContext));

    assertThat(r.sourceKeyId(), equalTo(source.arn()));
    assertThat(r.keyId(), equalTo(destination.arn()));
    DecryptResponse dec =
        root.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob()).encryptionContext(newContext));
    assertThat(dec.plaintext(), equalTo(PLAINTEXT));
    assertThat(dec.keyId(), equalTo(destination.arn()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keyIdForms")
  void reEncrypt_withoutSourceKeyId_findsTheSourceInTheBlob_destinationInEachKeyIdForm(
      String form) {
    KeyMetadata source = newKey(root);
    KeyMetadata destination = newKey(root);
    String destinationAlias = newAlias(root, destination.keyId());
    SdkBytes blob = encrypt(source.arn());

    ReEncryptResponse r =
        root.reEncrypt(
            b ->
                b.ciphertextBlob(blob)
                    .sourceEncryptionContext(CONTEXT)
                    .destinationKeyId(form(form, destination, destinationAlias))
                    .destinationEncryptionContext(CONTEXT));

    assertThat(r.sourceKeyId(), equalTo(source.arn()));
    assertThat(r.keyId(), equalTo(destination.arn()));
    assertThat(
        root.decrypt(b -> b.ciphertextBlob(r.ciphertextBlob()).encryptionContext(CONTEXT))
            .plaintext(),
        equalTo(PLAINTEXT));
  }

  @Test
  void disabledKey_encrypt_isDisabledException() {
    KeyMetadata key = newKey(root);
    root.disableKey(b -> b.keyId(key.keyId()));

    DisabledException e =
        assertThrows(
            DisabledException.class,
            () -> root.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));

    assertThat(e.awsErrorDetails().errorMessage(), equalTo(key.arn() + " is disabled."));
    assertThat(e.statusCode(), equalTo(400));
  }

  @Test
  void disableKey_isVisibleInDescribeKey() {
    KeyMetadata key = newKey(root);

    root.disableKey(b -> b.keyId(key.arn()));

    assertThat(
        root.describeKey(b -> b.keyId(key.keyId())).keyMetadata().keyState(),
        equalTo(KeyState.DISABLED));
  }

  @Test
  void decrypt_wrongContext_isInvalidCiphertextException() {
    SdkBytes blob = encrypt(newKey(root).keyId());

    InvalidCiphertextException e =
        assertThrows(
            InvalidCiphertextException.class,
            () ->
                root.decrypt(
                    b -> b.ciphertextBlob(blob).encryptionContext(Map.of("Department", "HR"))));

    assertThat(e.awsErrorDetails().errorCode(), equalTo("InvalidCiphertextException"));
  }

  @Test
  void reEncrypt_sourceKeyIdOfAnotherKey_isIncorrectKeyException() {
    SdkBytes blob = encrypt(newKey(root).keyId());
    KeyMetadata other = newKey(root);

    IncorrectKeyException e =
        assertThrows(
            IncorrectKeyException.class,
            () ->
                root.reEncrypt(
                    b ->
                        b.ciphertextBlob(blob)
                            .sourceKeyId(other.keyId())
                            .sourceEncryptionContext(CONTEXT)
                            .destinationKeyId(other.keyId())));

    assertThat(
        e.awsErrorDetails().errorMessage(),
        equalTo(
            "The key ID in the request does not identify a CMK that can perform this operation."));
  }

  @Test
  void encrypt_unknownAlias_isNotFoundException() {
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () -> root.encrypt(b -> b.keyId("alias/no-such-alias").plaintext(PLAINTEXT)));

    assertThat(
        e.awsErrorDetails().errorMessage(),
        equalTo("Alias arn:verenc:" + ACCOUNT + ":alias/no-such-alias is not found."));
  }

  @Test
  void secondPrincipal_withoutPermission_isAccessDenied() {
    KeyMetadata key = newKey(root); // default policy: the account root only
    try (KmsClient alice =
        client(endpoint.aliceKey.accessKeyId(), endpoint.aliceKey.secretAccessKey(), "us-east-1")) {

      KmsException e =
          assertThrows(
              KmsException.class,
              () -> alice.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT)));

      assertThat(e.awsErrorDetails().errorCode(), equalTo("AccessDeniedException"));
      assertThat(
          e.awsErrorDetails().errorMessage(),
          equalTo(
              "User: arn:verenc:"
                  + ACCOUNT
                  + ":user/alice is not authorized to perform: kms:Encrypt on resource: "
                  + key.arn()
                  + " because no resource-based policy allows the kms:Encrypt action"));
    }
  }

  @Test
  void secondPrincipal_withAGrant_isAllowed() {
    KeyMetadata key = newKey(root);
    root.createGrant(
        b ->
            b.keyId(key.keyId())
                .granteePrincipal("arn:verenc:" + ACCOUNT + ":user/alice")
                .operationsWithStrings("Encrypt"));
    try (KmsClient alice =
        client(endpoint.aliceKey.accessKeyId(), endpoint.aliceKey.secretAccessKey(), "us-east-1")) {

      EncryptResponse r = alice.encrypt(b -> b.keyId(key.keyId()).plaintext(PLAINTEXT));

      assertThat(r.keyId(), equalTo(key.arn()));
    }
  }

  @Test
  void wrongSecretKey_isInvalidSignatureException() {
    try (KmsClient wrong =
        client(
            endpoint.rootKey.accessKeyId(),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "us-east-1")) {

      KmsException e = assertThrows(KmsException.class, () -> wrong.listKeys());

      assertThat(e.awsErrorDetails().errorCode(), equalTo("InvalidSignatureException"));
      assertThat(
          e.awsErrorDetails().errorMessage(),
          equalTo(
              "The request signature we calculated does not match the signature you provided."
                  + " Check your AWS Secret Access Key and signing method. Consult the service"
                  + " documentation for details."));
      assertThat(e.statusCode(), equalTo(400));
    }
  }

  @Test
  void unknownAccessKey_isUnrecognizedClientException() {
    try (KmsClient unknown =
        client("AKIAIOSFODNN7EXAMPLE", endpoint.rootKey.secretAccessKey(), "us-east-1")) {

      KmsException e = assertThrows(KmsException.class, () -> unknown.listKeys());

      assertThat(e.awsErrorDetails().errorCode(), equalTo("UnrecognizedClientException"));
      assertThat(
          e.awsErrorDetails().errorMessage(),
          equalTo("The security token included in the request is invalid."));
    }
  }

  @Test
  void credentialScopeRegion_isTheCallsRegion() {
    try (KmsClient eu =
        client(endpoint.rootKey.accessKeyId(), endpoint.rootKey.secretAccessKey(), "eu-west-1")) {
      KeyMetadata euKey = newKey(eu);

      // The key exists in eu-west-1 only: us-east-1 does not know it.
      NotFoundException e =
          assertThrows(NotFoundException.class, () -> root.describeKey(b -> b.keyId(euKey.arn())));

      assertThat(e.awsErrorDetails().errorMessage(), startsWith("Key '" + euKey.arn() + "'"));
      assertThat(
          eu.describeKey(b -> b.keyId(euKey.keyId())).keyMetadata().arn(), equalTo(euKey.arn()));
    }
  }

  @Test
  void regionTheStoreLacks_isInvalidSignatureException() {
    try (KmsClient elsewhere =
        client(endpoint.rootKey.accessKeyId(), endpoint.rootKey.secretAccessKey(), "ap-south-1")) {

      KmsException e = assertThrows(KmsException.class, () -> elsewhere.listKeys());

      assertThat(e.awsErrorDetails().errorCode(), equalTo("InvalidSignatureException"));
      assertThat(
          e.awsErrorDetails().errorMessage(),
          equalTo("Credential should be scoped to a valid region, not 'ap-south-1'. "));
    }
  }
}
