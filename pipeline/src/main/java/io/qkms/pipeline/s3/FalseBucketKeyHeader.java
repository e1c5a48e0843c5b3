package io.qkms.pipeline.s3;

import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Leaves out the header {@code x-amz-server-side-encryption-bucket-key-enabled: false}, which
 * Beam's S3 file system sends with every upload (its {@code --bucketKeyEnabled} defaults to false)
 * and which says nothing: S3 servers other than AWS's that implement no server-side encryption
 * (S3Proxy answers 501) refuse it. A {@code true} passes.
 */
final class FalseBucketKeyHeader implements ExecutionInterceptor {
  static final String HEADER = "x-amz-server-side-encryption-bucket-key-enabled";

  @Override
  public SdkHttpRequest modifyHttpRequest(
      Context.ModifyHttpRequest context, ExecutionAttributes executionAttributes) {
    SdkHttpRequest request = context.httpRequest();
    List<String> values = request.headers().get(HEADER);
    if (values != null && values.stream().allMatch("false"::equalsIgnoreCase)) {
      return request.toBuilder().removeHeader(HEADER).build();
    }
    return request;
  }
}
