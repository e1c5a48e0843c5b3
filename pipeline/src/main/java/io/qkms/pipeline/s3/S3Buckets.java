package io.qkms.pipeline.s3;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.PipelineOptions;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The check before a run that every bucket it names can be reached, exists and lets the caller in
 * (one HeadBucket each, with the clients the S3 file system will use), so that an endpoint that is
 * down, a misspelled bucket or missing credentials is one clear line and exit 2, with nothing
 * written, instead of "no files match" or a pipeline failing halfway.
 */
public final class S3Buckets {
  private S3Buckets() {}

  /**
   * Checks the bucket of each {@code s3://} location, by the option that names it.
   *
   * @throws IllegalArgumentException naming the option, the bucket and the endpoint
   */
  public static void check(PipelineOptions options, Map<String, String> locationsByFlag) {
    Map<String, String> buckets = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : locationsByFlag.entrySet()) {
      String bucket = bucket(e.getValue());
      if (bucket != null) {
        buckets.putIfAbsent(bucket, e.getKey() + " " + e.getValue());
      }
    }
    if (buckets.isEmpty()) {
      return;
    }
    S3Options s3 = options.as(S3Options.class);
    String endpoint = S3Clients.endpoint(options);
    try (S3Client client = new S3Clients().createBuilder(s3).build()) {
      for (Map.Entry<String, String> b : buckets.entrySet()) {
        check(client, b.getKey(), b.getValue(), endpoint);
      }
    } catch (SdkException e) {
      throw new IllegalArgumentException(
          "Cannot make an S3 client for " + endpoint + ": " + message(e));
    }
  }

  private static void check(S3Client client, String bucket, String what, String endpoint) {
    try {
      client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
    } catch (S3Exception e) {
      int status = e.statusCode();
      if (status == 404) {
        throw new IllegalArgumentException(
            what + ": the bucket " + bucket + " does not exist (at " + endpoint + ")");
      }
      if (status == 403) {
        throw new IllegalArgumentException(
            what
                + ": access to the bucket "
                + bucket
                + " is denied (at "
                + endpoint
                + "): check the credentials the AWS default chain finds (AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws/credentials) and the bucket's"
                + " policy");
      }
      throw new IllegalArgumentException(
          what
              + ": the bucket "
              + bucket
              + " cannot be used (at "
              + endpoint
              + "): HTTP "
              + status);
    } catch (SdkClientException e) {
      throw new IllegalArgumentException(
          what + ": cannot reach the S3 endpoint " + endpoint + ": " + message(e));
    }
  }

  /** The bucket of an {@code s3://bucket/key} location, or null for another file system. */
  static String bucket(String location) {
    if (location == null || !location.startsWith("s3://")) {
      return null;
    }
    String rest = location.substring("s3://".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  private static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return root == e ? m : m + " (" + firstLine(e.getMessage()) + ")";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
