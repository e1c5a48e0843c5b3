package io.qkms.pipeline.s3;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 for S3 servers of one's own: where a request carries Content-MD5 (the operations that
 * require a checksum, such as DeleteObjects, with {@code LegacyMd5Plugin}), the SDK's additional
 * {@code x-amz-checksum-*} and {@code x-amz-sdk-checksum-algorithm} headers are left out before the
 * request is signed. Servers that do not implement them (S3Proxy answers 501) then take it;
 * Content-MD5 still protects the body. Requests without Content-MD5 are signed as they are.
 */
final class Md5OnlyChecksums implements AwsV4AuthScheme {
  private final AwsV4AuthScheme delegate = AwsV4AuthScheme.create();

  @Override
  public String schemeId() {
    return delegate.schemeId();
  }

  @Override
  public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
    return delegate.identityProvider(providers);
  }

  @Override
  public AwsV4HttpSigner signer() {
    AwsV4HttpSigner signer = delegate.signer();
    return new AwsV4HttpSigner() {
      @Override
      public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        return signer.sign(withoutExtraChecksums(request));
      }

      @Override
      public CompletableFuture<AsyncSignedRequest> signAsync(
          AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return signer.signAsync(request);
      }
    };
  }

  private static <T extends AwsCredentialsIdentity> SignRequest<T> withoutExtraChecksums(
      SignRequest<T> request) {
    SdkHttpRequest http = request.request();
    if (http.firstMatchingHeader("Content-MD5").isEmpty()
        || http.firstMatchingHeader("x-amz-trailer").isPresent()) {
      return request;
    }
    SdkHttpRequest.Builder stripped = http.toBuilder();
    for (String name : http.headers().keySet()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("x-amz-checksum-") || lower.equals("x-amz-sdk-checksum-algorithm")) {
        stripped.removeHeader(name);
      }
    }
    SdkHttpRequest result = stripped.build();
    // The signer itself adds x-amz-checksum-<algorithm> when asked to: ask it for none.
    return request.copy(
        b -> b.request(result).putProperty(AwsV4FamilyHttpSigner.CHECKSUM_ALGORITHM, null));
  }
}
