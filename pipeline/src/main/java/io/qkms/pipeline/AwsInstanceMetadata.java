package io.qkms.pipeline;

import java.util.Map;
import java.util.Properties;

/**
 * Turns the AWS SDK's instance-metadata lookups off for a run that uses no AWS service.
 *
 * <p>Beam's S3 file system asks the SDK for a region each time file systems are registered (on the
 * launcher, and again in every worker with default options), and off EC2 the SDK's probe of the
 * instance-metadata endpoint costs about 0.8 s each time: over two seconds of a small run's
 * start-up. A run that touches no {@code s3://} location and calls no KMS endpoint never builds an
 * AWS client, so nothing depends on the probe. A run that does keeps the SDK's whole default chain
 * (an EC2 instance's region and role credentials), and so does a user who has set the SDK's own
 * switch either way.
 */
final class AwsInstanceMetadata {
  static final String PROPERTY = "aws.disableEc2Metadata";
  static final String VARIABLE = "AWS_EC2_METADATA_DISABLED";

  private AwsInstanceMetadata() {}

  /**
   * Sets {@value #PROPERTY} in {@code system} when the run uses no AWS service and neither the
   * property nor {@value #VARIABLE} is set; returns whether it did.
   */
  static boolean offUnlessUsed(ReKeyOptions options, Properties system, Map<String, String> env) {
    boolean usesAws =
        FlinkSettings.onObjectStorage(options)
            || (options.getKmsEndpoint() != null && !options.getKmsEndpoint().isBlank());
    if (usesAws || system.getProperty(PROPERTY) != null || env.get(VARIABLE) != null) {
      return false;
    }
    system.setProperty(PROPERTY, "true");
    return true;
  }
}
