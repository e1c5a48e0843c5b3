package io.qkms.pipeline.s3;

import org.apache.beam.sdk.io.aws2.options.S3Options;
import org.apache.beam.sdk.options.Description;

/**
 * Where the job's {@code s3://} files are: an S3 API endpoint of one's own (S3Proxy, MinIO, Ceph)
 * and path-style addressing, which Beam's S3 options cannot say. Credentials come from the AWS
 * default chain on each worker ({@code AWS_ACCESS_KEY_ID}, {@code ~/.aws/credentials}, ...), never
 * from an option, so no secret is part of the job.
 */
public interface S3EndpointOptions extends S3Options {
  @Description(
      "The S3 API endpoint for s3:// paths, e.g. http://127.0.0.1:9000 (S3Proxy, MinIO, ...)."
          + " Default: AWS S3 (or --endpoint). Credentials come from the AWS default chain.")
  String getS3Endpoint();

  void setS3Endpoint(String value);

  @Description(
      "Address buckets by path (http://host/bucket/key), as S3 servers of one's own need."
          + " Default: true with --s3Endpoint, else false.")
  Boolean getS3PathStyle();

  void setS3PathStyle(Boolean value);
}
