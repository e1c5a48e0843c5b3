package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import io.qkms.pipeline.ReKeyJob;
import io.qkms.pipeline.testing.Outputs;
import io.qkms.pipeline.testing.ParquetTestFiles;
import io.qkms.pipeline.testing.S3Server;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Parquet on object storage on a real Flink session cluster (the {@link SessionCluster}): the input
 * is {@code s3://lake/in/*.parquet} and the output {@code s3://lake/runs/cluster} on a real S3 API
 * server (S3Proxy on 127.0.0.1, path-style), started by this class. The TaskManagers reach it with
 * the credentials of their own environment (the AWS default chain), the launcher with its own. The
 * run is made once and examined by the tests.
 */
@Execution(ExecutionMode.SAME_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SessionCluster.Extension.class)
@Order(1)
class ObjectStorageClusterIT {
  static final String BUCKET = "lake";
  static final String OUTPUT = "runs/cluster/";
  static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);

  Path dir;
  Samples samples;
  FlinkCluster cluster;
  S3Server s3;
  ScriptRun job;
  String jobId;

  @BeforeAll
  void runParquetOnS3(SessionCluster shared) throws IOException {
    shared.ensureRunning();
    cluster = shared.cluster;
    samples = shared.samples;
    dir = Files.createTempDirectory("qkms-s3-cluster-it-");
    s3 = S3Server.start(dir);
    s3.createBucket(BUCKET);
    s3.put(BUCKET, "in/customers.parquet", samples.data("customers.parquet"));

    Map<String, String> env = new HashMap<>(S3Server.credentialsEnvironment());
    env.put("QKMS_AOT", "off");
    job =
        ScriptRun.start(
                "rekey",
                List.of(
                    "--runner=FlinkRunner",
                    "--flinkMaster=" + cluster.rest(),
                    "--input=s3://" + BUCKET + "/in/*.parquet",
                    "--output=s3://" + BUCKET + "/" + OUTPUT.substring(0, OUTPUT.length() - 1),
                    "--s3Endpoint=" + s3.endpoint(),
                    "--keystore=" + samples.keystore(),
                    "--fields=" + Samples.FIELDS,
                    "--destinationKeyId=" + Samples.NEW_KEY,
                    "--sourceEncryptionContext=" + Samples.TENANT_CONTEXT,
                    "--destinationEncryptionContext=" + Samples.TENANT_CONTEXT),
                dir,
                env,
                dir.resolve("rekey.out"))
            .await(RUN_TIMEOUT);
    jobId = cluster.lastJob();
  }

  @AfterAll
  void stopTheServer_andCleanUp() throws IOException {
    if (s3 != null) {
      s3.close();
    }
    TestDirs.deleteTree(dir);
  }

  Path run() {
    return s3.bucketDir(BUCKET).resolve(OUTPUT);
  }

  @Test
  void theRunSucceedsOnTheCluster_withItsDeadLetters_andPublishesReportAndSuccessMarkerOnS3()
      throws IOException {
    assertThat(job.output(), job.exitCode(), is(ReKeyJob.EXIT_OK));
    assertThat(cluster.get("/jobs/" + jobId).path("state").asText(), equalTo("FINISHED"));
    List<String> keys = s3.keys(BUCKET, OUTPUT);
    assertThat(
        keys.toString(),
        keys,
        hasItems(OUTPUT + ReKeyJob.REPORT_FILE, OUTPUT + ReKeyJob.LOG_FILE, OUTPUT + "_SUCCESS"));
    assertThat(
        keys.toString(),
        keys.stream().anyMatch(k -> k.startsWith(OUTPUT + "part-") && k.endsWith(".parquet")),
        is(true));
    assertThat(
        keys.toString(),
        keys.stream().anyMatch(k -> k.startsWith(OUTPUT + "dead-letter/part-")),
        is(true));
    assertThat(
        keys.toString(), keys.stream().filter(k -> k.contains(".temp-beam")).toList(), empty());

    JsonNode report = FlinkClusterIT.report(run());
    assertThat(report.path("run").path("runner").asText(), equalTo("FlinkRunner"));
    FlinkClusterIT.assertCounts(report, Samples.CUSTOMERS + 4, Samples.CUSTOMERS, 4);
  }

  @Test
  void readIsWrittenPlusDeadLettered_countedInTheFilesOnS3() {
    long input =
        ParquetTestFiles.footer(samples.data("customers.parquet")).getBlocks().stream()
            .mapToLong(b -> b.getRowCount())
            .sum();
    long written = ParquetTestFiles.parts(run()).size();
    long deadLettered = Outputs.avro(run().resolve("dead-letter")).size();

    assertThat(input, is((long) Samples.CUSTOMERS + 4));
    assertThat(written, is((long) Samples.CUSTOMERS));
    assertThat(written + deadLettered, is(input));
  }

  @Test
  void theOutputDecryptsUnderTheNewKey_andKeepsTheInputsParquetSchema() {
    List<GenericRecord> records = ParquetTestFiles.parts(run());
    Samples.Verified v = samples.verify(records, Samples.NEW_KEY, Samples.US_EAST_1);
    assertThat(v.problems(), empty());
    assertThat(v.records(), is((long) Samples.CUSTOMERS));
    assertThat(
        ParquetTestFiles.footer(Outputs.parts(run()).get(0)).getFileMetaData().getSchema(),
        equalTo(
            ParquetTestFiles.footer(samples.data("customers.parquet"))
                .getFileMetaData()
                .getSchema()));
  }

  @Test
  void theS3Credentials_appearNeitherInTheJobsConfigurationNorInWhatTheRunWrote()
      throws IOException {
    String config = cluster.get("/jobs/" + jobId + "/config").toString();
    assertThat(config, containsString(s3.endpoint().toString()));
    assertThat(config, not(containsString(S3Server.SECRET_KEY)));
    assertThat(job.output(), not(containsString(S3Server.SECRET_KEY)));
    for (String name : List.of(ReKeyJob.REPORT_FILE, ReKeyJob.LOG_FILE)) {
      assertThat(
          name, Files.readString(run().resolve(name)), not(containsString(S3Server.SECRET_KEY)));
    }
  }
}
