package io.qkms.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * AWS SDK KMS clients of a {@code qkms serve} in us-east-1 that do not retry, so a test sees every
 * error the server sends.
 */
final class SdkClients {
  private SdkClients() {}

  /** A client with profile qkms of {@code credentials}, the file {@code qkms init} writes. */
  static KmsClient withProfile(URI endpoint, Path credentials) {
    return client(
        endpoint,
        ProfileCredentialsProvider.builder()
            .profileFile(
                ProfileFile.builder()
                    .content(credentials)
                    .type(ProfileFile.Type.CREDENTIALS)
                    .build())
            .profileName("qkms")
            .build());
  }

  /** A client with an access key as {@code qkms create-access-key} prints it. */
  static KmsClient withKey(URI endpoint, JsonNode accessKey) {
    return client(
        endpoint,
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(
                accessKey.get("AccessKeyId").asText(), accessKey.get("SecretAccessKey").asText())));
  }

  private static KmsClient client(URI endpoint, AwsCredentialsProvider credentials) {
    return KmsClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials)
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
        .build();
  }
}
