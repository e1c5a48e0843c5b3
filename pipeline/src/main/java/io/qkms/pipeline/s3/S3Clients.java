package io.qkms.pipeline.s3;

import java.net.URI;
import org.apache.beam.sdk.io.aws2.options.S3ClientBuilderFactory;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.io.aws2.s3.DefaultS3ClientBuilderFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the S3 clients of Beam's S3 file system ({@code --s3ClientFactoryClass}, which the job
 * sets): Beam's own builder (region, credentials, {@code --endpoint}, HTTP settings), then {@link
 * S3EndpointOptions}' endpoint and path-style addressing. A server of one's own needs no real
 * region, so {@code us-east-1} stands in when the AWS chain names none.
 */
public final class S3Clients implements S3ClientBuilderFactory {
  @Override
  public S3ClientBuilder createBuilder(S3Options options) {
    S3ClientBuilder builder = new DefaultS3ClientBuilderFactory().createBuilder(options);
    S3EndpointOptions own = options.as(S3EndpointOptions.class);
    String endpoint = own.getS3Endpoint();
    if (endpoint != null && !endpoint.isBlank()) {
      builder.endpointOverride(URI.create(endpoint.strip()));
      // Checksums only where the API requires them, and then Content-MD5 alone: S3 servers other
      // than AWS's do not all take the SDK's newer checksums (trailing CRCs in aws-chunked
      // uploads, x-amz-checksum-* on DeleteObjects).
      builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
      builder.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
      builder.addPlugin(LegacyMd5Plugin.create());
      builder.putAuthScheme(new Md5OnlyChecksums());
      ClientOverrideConfiguration given = builder.overrideConfiguration();
      builder.overrideConfiguration(
          (given == null ? ClientOverrideConfiguration.builder() : given.toBuilder())
              .addExecutionInterceptor(new FalseBucketKeyHeader())
              .build());
    }
    if (pathStyle(own)) {
      builder.forcePathStyle(true);
    }
    if (options.getAwsRegion() == null) {
      builder.region(Region.US_EAST_1);
    }
    return builder;
  }

  static boolean pathStyle(S3EndpointOptions o) {
    return o.getS3PathStyle() != null
        ? o.getS3PathStyle()
        : o.getS3Endpoint() != null && !o.getS3Endpoint().isBlank();
  }

  /**
   * Makes the S3 file system build its clients here, unless the user named a factory of their own.
   */
  public static void install(PipelineOptions options) {
    S3Options s3 = options.as(S3Options.class);
    if (s3.getS3ClientFactoryClass() == null
        || s3.getS3ClientFactoryClass().equals(DefaultS3ClientBuilderFactory.class)) {
      s3.setS3ClientFactoryClass(S3Clients.class);
    }
    String endpoint = options.as(S3EndpointOptions.class).getS3Endpoint();
    if (endpoint != null && !endpoint.isBlank()) {
      if (s3.getAwsRegion() == null) {
        // A server of one's own needs no real region; set here, it travels with the options.
        s3.setAwsRegion(Region.US_EAST_1);
      }
      URI uri;
      try {
        uri = URI.create(endpoint.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--s3Endpoint must be a URL such as http://127.0.0.1:9000, was '" + endpoint + "'");
      }
      if (uri.getScheme() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "--s3Endpoint must be a URL such as http://127.0.0.1:9000, was '" + endpoint + "'");
      }
    }
  }

  /** The endpoint the job's S3 calls go to, for messages. */
  static String endpoint(PipelineOptions options) {
    String own = options.as(S3EndpointOptions.class).getS3Endpoint();
    if (own != null && !own.isBlank()) {
      return own.strip();
    }
    URI beam = options.as(S3Options.class).getEndpoint();
    return beam != null ? beam.toString() : "AWS S3";
  }
}
