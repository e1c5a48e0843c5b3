package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.engine.api.Principal;
import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.testing.QkmsServe;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The job on a real Flink session cluster (two TaskManager JVMs, one slot each) re-keying through a
 * real {@code qkms serve}: no TaskManager holds a key store or a root key (their environment has
 * only the AWS SDK's credentials file and profile), every record is re-encrypted once under the
 * destination key, and the job's request budget is split between the two JVMs (together they stay
 * within it).
 */
@Execution(ExecutionMode.SAME_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteKmsClusterIT {
  // Ten seconds of calls at the budget: the workers' limiters space their permits evenly (no
  // burst), so the pair exceeds the budget only by their first permits, while a JVM taking the
  // whole budget would show nearly twice it over the seconds both run.
  static final int RECORDS = 10_000;
  static final int BUDGET = 1_000;
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

  Path dir;
  Samples samples;
  Path bench;
  byte[] rootKey;
  QkmsServe server;
  FlinkCluster cluster;
  Map<String, String> awsEnv;
  boolean failed = true;

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("qkms-remote-cluster-it-");
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    bench = samples.bench(RECORDS);
    rootKey = Files.readAllBytes(samples.keystore().resolve("root.key"));
    Path credentials = dir.resolve("credentials");
    QkmsServe.credentials(samples.keystore(), Principal.root(Samples.ACCOUNT), credentials);
    server = QkmsServe.start(samples.keystore(), List.of());
    awsEnv = Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_PROFILE", "qkms");
    cluster = new FlinkCluster(dir.resolve("cluster"), awsEnv);
    ScriptRun started = cluster.start(2, 1);
    assertThat(started.output(), started.exitCode(), is(0));
  }

  @AfterAll
  void stop() throws IOException {
    if (cluster != null) {
      cluster.command("stop");
      if (failed) {
        System.err.println(
            "RemoteKmsClusterIT: the cluster's logs are in "
                + cluster.keepLogs("RemoteKmsClusterIT"));
      }
    }
    if (server != null) {
      server.close();
    }
    TestDirs.deleteTree(dir);
  }

  @Test
  void noKeyStoreOnTheTaskManagers_everyRecordReEncryptedOnce_withinTheJobsBudget()
      throws Exception {
    Path run = dir.resolve("run");
    Map<String, String> env = new HashMap<>(awsEnv);
    env.put("QKMS_AOT", "off");
    ScriptRun job =
        ScriptRun.start(
                "rekey",
                List.of(
                    "--runner=FlinkRunner",
                    "--flinkMaster=" + cluster.rest(),
                    "--parallelism=2",
                    "--input=" + bench,
                    "--output=" + run,
                    "--kmsEndpoint=" + server.endpoint(),
                    "--region=us-east-1",
                    "--fields=secret",
                    "--destinationKeyId=" + Samples.NEW_KEY,
                    "--kmsMaxRequestsPerSecond=" + BUDGET),
                dir,
                env,
                dir.resolve("rekey.out"))
            .await(RUN_TIMEOUT);

    assertThat(job.output(), job.exitCode(), is(ReKeyJob.EXIT_OK));
    JsonNode report = new ObjectMapper().readTree(run.resolve(ReKeyJob.REPORT_FILE).toFile());
    FlinkClusterIT.assertCounts(report, RECORDS, RECORDS, 0);
    assertThat(report.path("run").has("keystore"), is(false));
    JsonNode kms = report.path("kms");
    assertThat(kms.path("requestsSent").asLong(), is((long) RECORDS));
    // Two JVMs, each with half the budget: together within it (the processing window begins
    // with the first record, so a little over is start-up noise, not a second budget).
    assertThat(
        report.toString(),
        kms.path("achievedRequestsPerSecond").asDouble(),
        lessThan(BUDGET * 1.15));
    FlinkClusterIT.assertEveryRecordReEncryptedOnce(samples, bench, run, RECORDS);

    // The TaskManagers never had a root key: not in their environment, and nowhere in what the
    // cluster keeps (staged jars, logs, configuration) or in the job's configuration.
    List<String> leaks = new ArrayList<>();
    for (long pid : cluster.processes()) {
      String environ =
          new String(
              Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
      for (String var : environ.split("\0")) {
        if (var.startsWith("QKMS_ROOT_KEY_FILE=") || var.startsWith("QKMS_PASSPHRASE=")) {
          leaks.add("environment of " + pid + ": " + var.substring(0, var.indexOf('=')));
        }
      }
    }
    String config = cluster.get("/jobs/" + cluster.lastJob() + "/config").toString();
    assertThat(config, containsString(server.endpoint()));
    try (Stream<Path> files = Files.walk(cluster.work)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] content = Files.readAllBytes(f);
        for (byte[] secret : secretForms()) {
          if (FlinkClusterIT.contains(content, secret)) {
            leaks.add(cluster.work.relativize(f).toString());
          }
        }
        if (f.startsWith(cluster.work.resolve("log"))
            && FlinkClusterIT.contains(content, "PLAINTEXT-".getBytes(StandardCharsets.UTF_8))) {
          leaks.add("plaintext in " + f.getFileName());
        }
      }
    }
    for (byte[] secret : secretForms()) {
      if (FlinkClusterIT.contains(config.getBytes(StandardCharsets.UTF_8), secret)
          || FlinkClusterIT.contains(job.output().getBytes(StandardCharsets.UTF_8), secret)) {
        leaks.add("job config or submitter output");
      }
    }
    assertThat(leaks, empty());
    failed = false;
  }

  List<byte[]> secretForms() {
    return List.of(
        rootKey,
        HexFormat.of().formatHex(rootKey).getBytes(StandardCharsets.US_ASCII),
        HexFormat.of().withUpperCase().formatHex(rootKey).getBytes(StandardCharsets.US_ASCII),
        Base64.getEncoder().encode(rootKey));
  }
}
