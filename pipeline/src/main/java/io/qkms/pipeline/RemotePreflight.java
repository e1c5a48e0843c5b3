package io.qkms.pipeline;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.pipeline.transform.Selection;
import io.qkms.pipeline.worker.WorkerKms;
import io.qkms.pipeline.worker.remote.RemoteCallException;
import io.qkms.pipeline.worker.remote.RemoteCheck;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checks before a run through a KMS endpoint, made before any request is paid for: that the
 * endpoint answers and takes the credentials, that every destination key exists, is enabled and
 * symmetric, that the caller may use it (ReEncrypt with DryRun of sampled ciphertexts proves
 * kms:ReEncryptFrom and kms:ReEncryptTo; {@link SampleCheck} diagnoses a sample that would not
 * re-encrypt), and then the estimate: records, ReEncrypt requests, time at the budget, cost.
 */
final class RemotePreflight {
  private static final Set<String> CREDENTIAL_CODES =
      Set.of(
          "UnrecognizedClientException",
          "InvalidSignatureException",
          "IncompleteSignatureException",
          "MissingAuthenticationTokenException",
          "ExpiredTokenException",
          "InvalidClientTokenId",
          "SignatureDoesNotMatch",
          "CredentialsNotFound");

  /** What the run would cost, and the lines that say so. */
  record Estimate(
      long records,
      double requests,
      double httpRequests,
      double seconds,
      double cost,
      String text) {}

  private RemotePreflight() {}

  /**
   * @throws IllegalArgumentException naming what is wrong (exit 2, nothing written)
   */
  static Estimate check(JobPlan plan, Map<String, String> env) {
    KmsEndpoint e = plan.kms();
    List<String> lines = new ArrayList<>();
    try (RemoteCheck kms = RemoteCheck.open(e.spec(1))) {
      Map<String, RemoteCheck.Key> keys = new LinkedHashMap<>();
      for (String keyId : plan.destinationKeys()) {
        RemoteCheck.Key k;
        try {
          k = kms.describeKey(keyId, plan.grantTokens());
        } catch (RemoteCallException x) {
          throw problem(e, env, x, keyId);
        }
        Preflight.checkUsableDestination(keyId, k.arn(), k.keySpec(), k.keyUsage(), k.keyState());
        keys.put(keyId, k);
      }
      SampleCheck.Sampled sampled = SampleCheck.run(plan, new SampleKms(kms, env, e));
      StringBuilder k = new StringBuilder();
      keys.forEach(
          (id, key) ->
              k.append(k.length() == 0 ? "" : ", ")
                  .append(id)
                  .append(id.equals(key.arn()) ? "" : " (" + key.arn() + ")"));
      lines.add(
          String.format(
              Locale.ROOT,
              "rekey: KMS endpoint %s (%s): destination key%s %s enabled and symmetric;" + " %s",
              e.url(),
              e.region(),
              keys.size() == 1 ? "" : "s",
              k,
              sampled.records() == 0
                  ? "the input has no records to try"
                  : String.format(
                      Locale.ROOT,
                      "%d of %d sampled records would re-encrypt (DryRun)",
                      sampled.reEncrypt(),
                      sampled.records())));
      return estimate(plan, sampled, lines);
    }
  }

  /**
   * The plan with its {@code --onlySourceKeys} resolved through the endpoint: DescribeKey of each
   * key, once, here, so that the workers compare a blob's header with key ARNs and call nothing to
   * select. Made after {@link #check}, which has found the endpoint and the credentials good.
   *
   * @throws IllegalArgumentException naming a key that cannot be described (exit 2)
   */
  static JobPlan resolveSelection(JobPlan plan) {
    Selection s = plan.selection();
    if (s.sourceKeys().isEmpty()) {
      return plan;
    }
    List<String> arns = new ArrayList<>();
    try (RemoteCheck kms = RemoteCheck.open(plan.kms().spec(1))) {
      for (String keyId : s.sourceKeys()) {
        try {
          arns.add(kms.describeKey(keyId, plan.grantTokens()).arn());
        } catch (RemoteCallException x) {
          throw new IllegalArgumentException(
              "--onlySourceKeys: the key "
                  + keyId
                  + " cannot be used: "
                  + x.describe()
                  + " (DescribeKey at --kmsEndpoint "
                  + plan.kms().url()
                  + ")");
        }
      }
    }
    return plan.withSelection(s.withResolvedSourceKeys(arns));
  }

  /** The endpoint, the credentials or the key, whichever {@code x} says is wrong. */
  private static IllegalArgumentException problem(
      KmsEndpoint e, Map<String, String> env, RemoteCallException x, String keyId) {
    if (x.tls()
        || (e.url().startsWith("https:")
            && x.unreachable()
            && x.getMessage() != null
            && x.getMessage().contains("connection was closed"))) {
      // A server that closes the connection on the TLS hello speaks no TLS (plain HTTP, say).
      return new IllegalArgumentException(tlsProblem(e, x.getMessage()));
    }
    if (x.unreachable()) {
      return new IllegalArgumentException(
          "--kmsEndpoint "
              + e.url()
              + " does not answer ("
              + x.getMessage()
              + "): start the endpoint, or check the URL");
    }
    if (CREDENTIAL_CODES.contains(x.code())) {
      return new IllegalArgumentException(
          "--kmsEndpoint "
              + e.url()
              + " refused the credentials: "
              + x.describe()
              + " (they come from the AWS SDK's default chain: "
              + credentialSource(env)
              + ")");
    }
    if (x.code().equals("InvalidGrantTokenException")) {
      return new IllegalArgumentException(
          "--grantTokens: --kmsEndpoint "
              + e.url()
              + " refused a grant token: "
              + x.describe()
              + " (give the GrantToken that CreateGrant answered, of a grant not retired or"
              + " revoked; the endpoint checks every token of every call)");
    }
    if (x.code().equals("AccessDeniedException")) {
      return new IllegalArgumentException(
          "The destination key "
              + keyId
              + " cannot be described by the caller: "
              + x.describe()
              + " (the checks before the run and --skipIfCurrent need kms:DescribeKey)");
    }
    return new IllegalArgumentException(
        "The destination key " + keyId + " cannot be used: " + x.describe());
  }

  /** What a failed TLS handshake says about the certificate, and what to do about it. */
  static String tlsProblem(KmsEndpoint e, String cause) {
    String host = URI.create(e.url()).getHost();
    String text = cause == null ? "" : cause;
    String trusted =
        e.caBundle() == null
            ? "the JVM's trust store (give --kmsCaBundle=FILE, a PEM file of the CA certificate"
                + " or of the self-signed certificate qkms tls-cert wrote)"
            : "--kmsCaBundle " + e.caBundle();
    String what;
    if (text.contains("No subject alternative") || text.contains("No name matching")) {
      what =
          "its TLS certificate does not name "
              + host
              + ": call it by a name the certificate has, or make the certificate for that name"
              + " (qkms tls-cert --tls-san "
              + host
              + ")";
    } else if (text.contains("PKIX path") || text.contains("certification path")) {
      what = "its TLS certificate is not signed by a certificate in " + trusted;
    } else if (text.contains("expired") || text.contains("not yet valid")) {
      what = "its TLS certificate is not valid now";
    } else {
      what = "the TLS handshake failed (does it serve HTTPS: qkms serve --tls-cert?)";
      if (text.contains("connection was closed")) {
        return "--kmsEndpoint " + e.url() + ": " + what + " [the server closed the connection]";
      }
    }
    return "--kmsEndpoint " + e.url() + ": " + what + " [" + text + "]";
  }

  /**
   * Where the SDK's default chain looks for credentials here, in its order (system properties,
   * environment, profile): names, never secrets.
   */
  static String credentialSource(Map<String, String> env) {
    if (System.getProperty("aws.accessKeyId") != null) {
      return "access key " + System.getProperty("aws.accessKeyId") + " (system property)";
    }
    if (env.get("AWS_ACCESS_KEY_ID") != null) {
      return "access key " + env.get("AWS_ACCESS_KEY_ID") + " (AWS_ACCESS_KEY_ID)";
    }
    String profile = System.getProperty("aws.profile", env.getOrDefault("AWS_PROFILE", "default"));
    String file =
        System.getProperty(
            "aws.sharedCredentialsFile",
            env.getOrDefault("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"));
    return "profile " + profile + " of " + file + " (AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)";
  }

  private static Estimate estimate(JobPlan plan, SampleCheck.Sampled sampled, List<String> lines) {
    KmsEndpoint e = plan.kms();
    long records;
    try {
      records = CommittedCounts.records(plan.inputPattern(), plan.input().inputCounter());
    } catch (IOException x) {
      throw new IllegalArgumentException(
          (plan.replay() ? "--replayDeadLetters" : "--input")
              + ": cannot count the records: "
              + x.getMessage());
    }
    double perRecord = sampled.callsPerRecord();
    double requests = records * perRecord;
    double http = e.batchSize() > 1 ? Math.ceil(requests / e.batchSize()) : requests;
    double seconds = e.maxRequestsPerSecond() > 0 ? requests / e.maxRequestsPerSecond() : 0;
    double cost = requests / 10_000 * e.pricePer10k();
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "rekey: estimate: %,d records, about %,.0f ReEncrypt requests (%.2f a record%s)",
            records,
            requests,
            perRecord,
            sampled.current() > 0
                ? String.format(
                    Locale.ROOT,
                    "; %d of the %d sampled ciphertexts are current and would be skipped",
                    sampled.current(),
                    sampled.ciphertexts())
                : ""));
    if (e.batchSize() > 1) {
      s.append(
          String.format(
              Locale.ROOT, " in about %,.0f BatchReEncrypt calls of %d", http, e.batchSize()));
    }
    s.append(
        e.maxRequestsPerSecond() > 0
            ? String.format(
                Locale.ROOT,
                ", %s at %,.0f requests/s",
                duration(seconds),
                e.maxRequestsPerSecond())
            : ", no request budget (--kmsMaxRequestsPerSecond)");
    s.append(
        String.format(
            Locale.ROOT,
            ", about $%s at $%s per 10,000 requests",
            money(cost),
            money(e.pricePer10k())));
    lines.add(s.toString());
    return new Estimate(records, requests, http, seconds, cost, String.join("\n", lines) + "\n");
  }

  private static String duration(double seconds) {
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    if (seconds < 2 * 3600) {
      return String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }

  static String money(double dollars) {
    if (dollars == 0) {
      return "0";
    }
    if (dollars < 0.01) {
      return String.format(Locale.ROOT, "%.4f", dollars);
    }
    return String.format(Locale.ROOT, "%,.2f", dollars);
  }

  /** The endpoint as the sample check's KMS. */
  private static final class SampleKms implements SampleCheck.Kms {
    /** DryRuns in flight at once, at most (and at most the run's --kmsMaxInFlight). */
    static final int MAX_PARALLEL_PROBES = 8;

    private final RemoteCheck kms;
    private final Map<String, String> env;
    private final KmsEndpoint endpoint;

    SampleKms(RemoteCheck kms, Map<String, String> env, KmsEndpoint endpoint) {
      this.kms = kms;
      this.env = env;
      this.endpoint = endpoint;
    }

    @Override
    public SampleCheck.KmsError dryRun(WorkerKms.Args args) {
      RemoteCallException x = kms.dryRunReEncrypt(args);
      return x == null ? null : new SampleCheck.KmsError(x.code(), x.getMessage(), x.retryable());
    }

    /**
     * The sample's DryRuns, several in flight (one after another, each waits a round trip: seconds
     * for a few hundred); {@link RemoteCheck} keeps them within the run's request budget.
     */
    @Override
    public List<SampleCheck.KmsError> dryRunAll(List<WorkerKms.Args> probes) {
      int parallel = Math.max(1, Math.min(MAX_PARALLEL_PROBES, endpoint.maxInFlight()));
      if (probes.size() <= 1 || parallel == 1) {
        return SampleCheck.Kms.super.dryRunAll(probes);
      }
      AtomicInteger threads = new AtomicInteger();
      ExecutorService pool =
          Executors.newFixedThreadPool(
              parallel,
              r -> {
                Thread t = new Thread(r, "rekey-preflight-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      try {
        List<Future<SampleCheck.KmsError>> answers = new ArrayList<>(probes.size());
        for (WorkerKms.Args a : probes) {
          answers.add(pool.submit(() -> dryRun(a)));
        }
        List<SampleCheck.KmsError> out = new ArrayList<>(probes.size());
        for (Future<SampleCheck.KmsError> f : answers) {
          out.add(f.get());
        }
        return out;
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while trying the sampled records", x);
      } catch (ExecutionException x) {
        if (x.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(x.getCause());
      } finally {
        pool.shutdownNow();
      }
    }

    @Override
    public String headerKeyArn(byte[] blob) {
      KeyMaterialRef h = kms.ciphertextMaterial(blob);
      return h == null ? null : h.keyArn();
    }

    @Override
    public String caller() {
      return "the caller (credentials from " + credentialSource(env) + ")";
    }

    @Override
    public boolean anyAccessDeniedStops() {
      return true;
    }

    @Override
    public boolean opensOnlyQkmsBlobs() {
      return false;
    }

    @Override
    public boolean isCurrent(byte[] blob, String destinationKeyId) {
      KeyMaterialRef current = kms.currentMaterial(destinationKeyId);
      KeyMaterialRef header = kms.ciphertextMaterial(blob);
      return current != null
          && header != null
          && current.keyMaterialId() != null
          && header.keyArn().equals(current.keyArn())
          && header.keyMaterialId().equals(current.keyMaterialId());
    }
  }
}
