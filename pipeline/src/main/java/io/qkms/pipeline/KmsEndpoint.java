package io.qkms.pipeline;

import io.qkms.pipeline.worker.remote.CaBundle;
import io.qkms.pipeline.worker.remote.RemoteSpec;
import java.util.Locale;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * A job's remote KMS ({@code --kmsEndpoint} and its options), checked before anything runs: the
 * endpoint URL, the region (given, or the AWS SDK's region chain here, on the launcher, so that
 * every worker calls the same one), the job's request budget, the requests each worker keeps in
 * flight, the batch size, the throttle budget of a call, the price for the estimate, and whether
 * the run stops after the estimate.
 */
record KmsEndpoint(
    String url,
    String region,
    String caBundle,
    double maxRequestsPerSecond,
    int maxInFlight,
    int batchSize,
    int maxThrottledRetries,
    double pricePer10k,
    boolean estimateOnly) {

  /**
   * The endpoint the options name, or null for a run over a key store.
   *
   * @throws IllegalArgumentException naming the option and what is wrong with it
   */
  static KmsEndpoint from(ReKeyOptions o) {
    boolean keystore = o.getKeystore() != null && !o.getKeystore().isBlank();
    boolean endpoint = o.getKmsEndpoint() != null && !o.getKmsEndpoint().isBlank();
    if (keystore == endpoint) {
      throw new IllegalArgumentException(
          keystore
              ? "Give --keystore (a key store the workers open) or --kmsEndpoint (a KMS they"
                  + " call), not both"
              : "Give --keystore=<dir> (a key store the workers open) or --kmsEndpoint=<url> (a"
                  + " KMS they call: qkms serve, AWS KMS)");
    }
    if (!endpoint) {
      requireEndpoint(o.getKmsMaxRequestsPerSecond() != 0, "--kmsMaxRequestsPerSecond");
      requireEndpoint(o.getKmsBatchSize() != 1, "--kmsBatchSize");
      requireEndpoint(o.getKmsCaBundle() != null, "--kmsCaBundle");
      requireEndpoint(
          o.getKmsMaxInFlight() != RemoteSpec.DEFAULT_MAX_IN_FLIGHT, "--kmsMaxInFlight");
      requireEndpoint(
          o.getKmsMaxThrottledRetries() != RemoteSpec.DEFAULT_MAX_THROTTLED_RETRIES,
          "--kmsMaxThrottledRetries");
      return null;
    }
    if (o.getShipKeystore()) {
      throw new IllegalArgumentException(
          "--shipKeystore ships a key store; with --kmsEndpoint the workers hold none");
    }
    if (o.getPrincipal() != null && !o.getPrincipal().isBlank()) {
      throw new IllegalArgumentException(
          "--principal names the caller of a key store; with --kmsEndpoint the caller is whoever"
              + " the credentials belong to (the AWS SDK's default chain: AWS_PROFILE, ...)");
    }
    String url = o.getKmsEndpoint().strip();
    String region = o.getRegion() == null || o.getRegion().isBlank() ? null : o.getRegion().strip();
    if (region == null) {
      try {
        region = new DefaultAwsRegionProviderChain().getRegion().id();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "--kmsEndpoint needs a region: give --region (or set AWS_REGION, or a region in the"
                + " AWS profile)");
      }
    }
    if (!(o.getKmsPricePer10k() >= 0) || Double.isInfinite(o.getKmsPricePer10k())) {
      throw new IllegalArgumentException(
          "--kmsPricePer10k must be 0 or more, was " + o.getKmsPricePer10k());
    }
    String caBundle = o.getKmsCaBundle();
    if (caBundle != null) {
      if (!url.startsWith("https:")) {
        throw new IllegalArgumentException(
            "--kmsCaBundle says whom an https endpoint may be; --kmsEndpoint "
                + url
                + " is not https");
      }
      caBundle = java.nio.file.Path.of(caBundle.strip()).toAbsolutePath().toString();
      CaBundle.check(caBundle); // as the workers will read it
    }
    KmsEndpoint e =
        new KmsEndpoint(
            url,
            region,
            caBundle,
            o.getKmsMaxRequestsPerSecond(),
            o.getKmsMaxInFlight(),
            o.getKmsBatchSize(),
            o.getKmsMaxThrottledRetries(),
            o.getKmsPricePer10k(),
            o.getEstimateOnly());
    try {
      e.spec(1); // the URL and the numbers, checked as the workers will take them
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(
          "--kms"
              + option(bad.getMessage())
              + ": "
              + bad.getMessage().substring(0, 1).toLowerCase(Locale.ROOT)
              + bad.getMessage().substring(1));
    }
    return e;
  }

  private static String option(String message) {
    if (message.startsWith("maxRequestsPerSecond")) {
      return "MaxRequestsPerSecond";
    }
    if (message.startsWith("maxInFlight")) {
      return "MaxInFlight";
    }
    if (message.startsWith("batchSize")) {
      return "BatchSize";
    }
    if (message.startsWith("maxThrottledRetries")) {
      return "MaxThrottledRetries";
    }
    return "Endpoint";
  }

  private static void requireEndpoint(boolean given, String option) {
    if (given) {
      throw new IllegalArgumentException(option + " applies to --kmsEndpoint runs only");
    }
  }

  /** The spec the workers' client is made from, for a job of {@code workers} parallel workers. */
  RemoteSpec spec(int workers) {
    return RemoteSpec.builder(url, region)
        .caBundle(caBundle)
        .maxRequestsPerSecond(maxRequestsPerSecond)
        .workers(workers)
        .maxInFlight(maxInFlight)
        .batchSize(batchSize)
        .maxThrottledRetries(maxThrottledRetries)
        .build();
  }
}
