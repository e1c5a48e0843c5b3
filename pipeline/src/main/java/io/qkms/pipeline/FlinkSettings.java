package io.qkms.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink runner's settings for a re-key job: the defaults the job sets unless told otherwise,
 * the embedded cluster's configuration, and the check that a session cluster answers before the job
 * is submitted to it.
 */
final class FlinkSettings {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private FlinkSettings() {}

  /** True for the Flink runner (and Beam's test variant). */
  static boolean isFlink(ReKeyOptions options) {
    String runner = options.getRunner().getSimpleName();
    return runner.startsWith("Flink") || runner.startsWith("TestFlink");
  }

  /**
   * On Flink, unless given: one subtask per core (on a cluster, its own default); {@code
   * --fasterCopy} (our DoFns never change their inputs or outputs after emitting them, so Flink
   * need not copy records between chained operators); and the DataStream translation of batch jobs
   * with large bundles. On the DataSet translation a ParDo with a failures output cannot be chained
   * with what follows, so every record is encoded and decoded once more between tasks; the
   * DataStream one chains it through side outputs, and large bundles keep the runner's per-bundle
   * metric updates rare. Measured on the 1,000,000-record benchmark: 36 s with the DataSet
   * translation, 21 s with this (except for runs on object storage: {@link #onObjectStorage}). The
   * embedded cluster gets its configuration in {@code scratch}.
   *
   * @throws IllegalArgumentException for an empty or unreachable {@code --flinkMaster}
   */
  static void apply(ReKeyOptions options, String[] args, RunScratch scratch) {
    if (!isFlink(options)) {
      return;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (given(args, "--flinkMaster") && isBlank(flink.getFlinkMaster())) {
      throw new IllegalArgumentException(
          "--flinkMaster is empty: give the cluster's REST address host:port (`scripts/flink-cluster"
              + " start` prints it on its last line; check that it started), or leave"
              + " --flinkMaster out to run on an embedded cluster");
    }
    boolean remote = remote(options);
    JsonNode clusterConfig = remote ? probe(flink.getFlinkMaster()) : null;
    if (flink.getParallelism() <= 0 && !insideFlinkRun(flink)) {
      // On a cluster, its own default (the runner would take 1: it reads only a local config).
      // Under `flink run`, what that command says (-p, or its configuration) applies.
      int p = remote ? parallelismOf(clusterConfig) : Runtime.getRuntime().availableProcessors();
      if (p > 0) {
        flink.setParallelism(p);
      }
    }
    if (!remote
        && !insideFlinkRun(flink)
        && !given(args, "--flinkConfDir")
        && System.getenv("FLINK_CONF_DIR") == null) {
      flink.setFlinkConfDir(embeddedClusterConfig(flink.getParallelism(), scratch).toString());
    }
    if (!given(args, "--fasterCopy")) {
      flink.setFasterCopy(true);
    }
    if (!given(args, "--useDataStreamForBatch")) {
      flink.setUseDataStreamForBatch(!onObjectStorage(options));
    }
    if (!given(args, "--maxBundleSize")) {
      flink.setMaxBundleSize(100_000L);
    }
    if (!given(args, "--maxBundleTimeMills")) {
      flink.setMaxBundleTimeMills(60_000L);
    }
  }

  /**
   * The embedded cluster's configuration folder, in the run's scratch folder.
   *
   * <ul>
   *   <li>One task slot per subtask: Flink's embedded cluster otherwise offers one, and batch
   *       regions then run one subtask after another (130-140k against 160-175k records/s).
   *   <li>Pipelined exchanges: the file writes end in a chain of tiny stages that, with blocking
   *       exchanges, Flink deploys one after another once the last record is written (0.5-0.6 s of
   *       every run, against about 0.1 s). They need the default scheduler, not the adaptive one.
   *   <li>Loopback only, and mutual TLS with a certificate made for this run on the REST endpoint
   *       and the BLOB server: the embedded cluster cannot run without them, and the REST endpoint
   *       accepts job submissions (code to run in the JVM that holds the key material). No client
   *       holds the certificate; the runner submits in-process.
   *   <li>Every temporary file (working directory, BLOB store, web uploads, the RPC system's
   *       extracted jar) in the scratch folder, which the run deletes.
   * </ul>
   */
  static Path embeddedClusterConfig(int parallelism, RunScratch scratch) {
    Path dir = scratch.folder("flink-conf");
    Path tmp = scratch.folder("flink-tmp");
    EmbeddedClusterTls tls = EmbeddedClusterTls.create(scratch.folder("tls"));
    try {
      Files.writeString(
          dir.resolve("config.yaml"),
          "taskmanager.numberOfTaskSlots: "
              + Math.max(1, parallelism)
              + "\n"
              + "execution.batch-shuffle-mode: ALL_EXCHANGES_PIPELINED\n"
              + "jobmanager.scheduler: Default\n"
              + "jobmanager.bind-host: 127.0.0.1\n"
              + "rest.bind-address: 127.0.0.1\n"
              + "rest.address: 127.0.0.1\n"
              + "io.tmp.dirs: "
              + yaml(tmp)
              + "\n"
              + "web.tmpdir: "
              + yaml(tmp)
              + "\n"
              + "web.submit.enable: false\n"
              + "web.cancel.enable: false\n"
              + tls.config("rest")
              + "security.ssl.rest.authentication-enabled: true\n"
              + tls.config("internal")
              + "security.ssl.algorithms: "
              + EmbeddedClusterTls.CIPHER_SUITES
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the embedded Flink configuration", e);
    }
    return dir;
  }

  /**
   * True if the job reads or writes {@code s3://}. Such a run keeps the DataSet translation: Beam
   * 2.62's DataStream translation of Impulse (FlinkSource.boundedImpulse) registers the file
   * systems with default options, in the launcher and in every worker, so an S3 file system without
   * the run's --s3Endpoint, region and client factory replaces the run's at random.
   */
  static boolean onObjectStorage(ReKeyOptions options) {
    for (String location :
        new String[] {
          options.getInput(),
          options.getOutput(),
          options.getDeadLetter(),
          options.getReplayDeadLetters()
        }) {
      if (location != null && location.strip().startsWith("s3://")) {
        return true;
      }
    }
    return false;
  }

  static String yaml(Path p) {
    return "'" + p.toString().replace("'", "''") + "'";
  }

  /** True if {@code flink run} launched this job: it installs a cluster's context environment. */
  static boolean insideFlinkRun(FlinkPipelineOptions flink) {
    return "[auto]".equals(flink.getFlinkMaster())
        && !(StreamExecutionEnvironment.getExecutionEnvironment()
            instanceof LocalStreamEnvironment);
  }

  /** True if the job goes to a Flink cluster by its REST address (host:port). */
  static boolean remote(ReKeyOptions options) {
    if (!isFlink(options)) {
      return false;
    }
    String master = options.as(FlinkPipelineOptions.class).getFlinkMaster();
    return !isBlank(master) && !master.startsWith("[");
  }

  /** True if the job runs in this JVM (Direct runner, or an embedded Flink cluster). */
  static boolean local(ReKeyOptions options) {
    return !remote(options)
        && !(isFlink(options) && insideFlinkRun(options.as(FlinkPipelineOptions.class)));
  }

  /**
   * The configuration of the Flink cluster at {@code master} (host:port), from its REST API.
   *
   * @throws IllegalArgumentException in one line, within seconds, if it does not answer
   */
  static JsonNode probe(String master) {
    String base = master.startsWith("http://") ? master : "http://" + master;
    URI uri;
    try {
      uri = URI.create(base + "/jobmanager/config");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--flinkMaster " + master + " is not a host:port address of a Flink cluster");
    }
    String problem;
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) {
        return new ObjectMapper().readTree(response.body());
      }
      problem = "it answered HTTP " + response.statusCode() + ", not as a Flink cluster does";
    } catch (ConnectException e) {
      problem = "nothing listens there (connection refused)";
    } catch (HttpTimeoutException e) {
      problem = "no answer within " + PROBE_TIMEOUT.toSeconds() + " s";
    } catch (IOException e) {
      problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted";
    }
    throw new IllegalArgumentException(
        "Cannot reach the Flink cluster at --flinkMaster "
            + master
            + ": "
            + problem
            + " (is it running? `scripts/flink-cluster status` shows a local one)");
  }

  /** The cluster's {@code parallelism.default}, or 0. */
  private static int parallelismOf(JsonNode config) {
    for (JsonNode entry : config) {
      if ("parallelism.default".equals(entry.path("key").asText())) {
        try {
          return Integer.parseInt(entry.path("value").asText().strip());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  static boolean given(String[] args, String option) {
    for (String a : args) {
      if (a.equals(option) || a.startsWith(option + "=")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
