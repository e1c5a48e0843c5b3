package io.qkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.samples.Samples;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code scripts/bench}: runs the benchmarks, each next to its baseline in the same run, takes the
 * medians of repeated runs, and writes the figures and the JDK each was measured on as JSON. The
 * launcher builds what it needs, chooses the Java (the "default" JDK: what the launchers use) and
 * passes the job's JVM options; see the launcher's header for the sections. A section that fails (a
 * benchmark's error, an HTTP error reply, a run's non-zero exit) is listed under {@code errors} in
 * the JSON, and the exit code is 1.
 */
public final class Bench {
  static final Set<String> SECTIONS =
      Set.of(
          "engine",
          "pipeline",
          "flink",
          "direct",
          "samples",
          "cli",
          "http",
          "census",
          "resume",
          "remote",
          "parquet",
          "store");
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
  private static final String KEY = Samples.NEW_KEY;
  private static final String BUCKET = "bench";

  /** A JDK the figures are measured on: its version, its home, how the launcher chose it. */
  record Jdk(String version, String home, String chosenBy) {
    static Jdk parse(String spec) {
      String[] p = spec.split("\\|", -1);
      if (p.length != 3) {
        throw new IllegalArgumentException("a JDK is VERSION|HOME|CHOSEN_BY, not '" + spec + "'");
      }
      return new Jdk(p[0], p[1], p[2]);
    }

    String java() {
      return home + "/bin/java";
    }
  }

  /** The command line. */
  record Options(
      int records,
      int repeat,
      Path out,
      Set<String> only,
      Path root,
      Path jobJar,
      List<String> flinkJvm,
      List<String> directJvm,
      Jdk jdk,
      Jdk java17,
      String command) {
    boolean wanted(String section) {
      return only.isEmpty() || only.contains(section);
    }

    static Options parse(String[] args) {
      Map<String, List<String>> o = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument '" + a + "'");
        }
        int eq = a.indexOf('=');
        String name = eq > 0 ? a.substring(0, eq) : a;
        String value;
        if (eq > 0) {
          value = a.substring(eq + 1);
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new IllegalArgumentException(a + " needs a value");
        }
        o.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
      for (String name : o.keySet()) {
        if (!List.of(
                "--records",
                "--repeat",
                "--out",
                "--only",
                "--root",
                "--job-jar",
                "--flink-jvm-options",
                "--direct-jvm-options",
                "--jdk",
                "--java17",
                "--command")
            .contains(name)) {
          throw new IllegalArgumentException("unknown option " + name);
        }
      }
      Set<String> only = new LinkedHashSet<>(o.getOrDefault("--only", List.of()));
      for (String s : only) {
        if (!SECTIONS.contains(s)) {
          throw new IllegalArgumentException(
              "--only "
                  + s
                  + ": the sections are engine, pipeline, flink, direct, samples, cli, http,"
                  + " census, resume, remote, parquet, store");
        }
      }
      Path root = Path.of(single(o, "--root", "."));
      String stamp =
          DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
              .withZone(ZoneOffset.UTC)
              .format(Instant.now());
      String java17 = single(o, "--java17", "");
      return new Options(
          number(single(o, "--records", "1000000"), "--records", 1),
          number(single(o, "--repeat", "3"), "--repeat", 1),
          Path.of(
              single(o, "--out", root.resolve("target/bench/bench-" + stamp + ".json").toString())),
          only,
          root,
          Path.of(single(o, "--job-jar", "")),
          words(single(o, "--flink-jvm-options", "")),
          words(single(o, "--direct-jvm-options", "")),
          Jdk.parse(single(o, "--jdk", "||")),
          java17.isEmpty() ? null : Jdk.parse(java17),
          single(o, "--command", "scripts/bench"));
    }

    private static String single(Map<String, List<String>> o, String name, String otherwise) {
      List<String> v = o.get(name);
      if (v == null) {
        return otherwise;
      }
      if (v.size() > 1) {
        throw new IllegalArgumentException(name + " is given twice");
      }
      return v.get(0);
    }

    private static int number(String v, String name, int min) {
      try {
        int n = Integer.parseInt(v);
        if (n >= min) {
          return n;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(
          name + " needs a whole number from " + min + ", not '" + v + "'");
    }

    private static List<String> words(String s) {
      return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
    }
  }

  private final Options options;
  private final Path work;
  private final PrintStream log;
  private final Figures figures = new Figures();
  private final List<String> errors = new ArrayList<>();
  private Samples benchSamples;

  Bench(Options options, PrintStream log) {
    this.options = options;
    this.work = options.root().resolve("target/bench");
    this.log = log;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("bench: " + e.getMessage() + " (--help shows the usage)");
      return 2;
    }
    Bench bench = new Bench(options, err);
    try {
      String json = bench.all();
      out.print(json);
      err.println("bench: written to " + options.out());
      if (!bench.errors.isEmpty()) {
        bench.errors.forEach(e -> err.println("bench: FAILED: " + e));
        return 1;
      }
      return 0;
    } catch (IOException e) {
      err.println("bench: " + e.getMessage());
      return 1;
    }
  }

  /** Every wanted section, then the ratios; returns the JSON written. */
  String all() throws IOException {
    Files.createDirectories(work);
    Map<String, Section> sections = new LinkedHashMap<>();
    sections.put("engine", this::engine);
    sections.put("pipeline", this::pipeline);
    sections.put("samples", this::samples);
    sections.put("cli", this::cli);
    sections.put("http", this::http);
    sections.put("census", this::census);
    sections.put("resume", this::resume);
    sections.put("remote", this::remote);
    sections.put("parquet", this::parquet);
    sections.put("store", this::store);
    for (Map.Entry<String, Section> s : sections.entrySet()) {
      String name = s.getKey();
      // --only flink and --only direct run one runner of the pipeline section.
      if (options.wanted(name)
          || name.equals("pipeline") && (options.wanted("flink") || options.wanted("direct"))) {
        section(name, s.getValue());
      }
    }
    ratios();
    String json = json();
    Files.createDirectories(options.out().toAbsolutePath().getParent());
    Files.writeString(options.out(), json, StandardCharsets.UTF_8);
    return json;
  }

  @FunctionalInterface
  private interface Section {
    void run() throws Exception;
  }

  private void section(String name, Section s) {
    try {
      s.run();
    } catch (Exception e) {
      errors.add(name + ": " + e.getMessage());
      note(name + ": FAILED: " + e.getMessage());
    }
  }

  private void note(String s) {
    log.println("bench: " + s);
  }

  private String jdk() {
    return options.jdk().version();
  }

  // ---- engine -------------------------------------------------------------------------------

  private void engine() throws Exception {
    note(
        "engine: JMH, ReEncrypt against the AES-GCM floor (about 4 minutes; logs in " + work + ")");
    EngineBench.run(5, 3, work).forEach((k, v) -> figures.put(k, v, jdk()));
  }

  // ---- store --------------------------------------------------------------------------------

  private void store() throws Exception {
    Path dir = work.resolve("store-growth");
    deleteTree(dir);
    note("store: CreateKey in a file store growing to 3,000 keys (about 2 minutes)...");
    StoreWriteBench.run(dir, List.of(100, 1_000, 3_000))
        .forEach((k, v) -> figures.put(k, v, jdk()));
  }

  // ---- the job ------------------------------------------------------------------------------

  /** The key store and the N generated records, made once per bench run for every section. */
  private Samples benchSamples() throws IOException {
    Path samplesDir = work.resolve("samples");
    if (benchSamples == null) {
      note("generating " + options.records() + " records...");
      deleteTree(samplesDir);
      Samples samples = Samples.at(samplesDir);
      samples.init();
      samples.bench(options.records());
      benchSamples = samples;
    }
    return benchSamples;
  }

  private Path benchData() {
    return work.resolve("samples/data/bench-" + options.records() + ".avro");
  }

  private void pipeline() throws Exception {
    Samples samples = benchSamples();
    Path data = benchData();
    boolean flink = options.wanted("pipeline") || options.wanted("flink");
    for (int i = 1; flink && i <= options.repeat(); i++) {
      String of = " (run " + i + " of " + options.repeat() + ")";
      for (boolean reEncrypt : new boolean[] {true, false}) {
        String name = reEncrypt ? "bare_loop" : "io_only";
        note("pipeline: the bare loop, baseline (" + name + ")" + of + "...");
        List<String> cmd = jvm(options.flinkJvm());
        cmd.addAll(
            List.of(
                "io.qkms.bench.BareLoopBench",
                "--input=" + data,
                "--output=" + work.resolve("runs/" + name),
                "--keystore=" + samples.keystore(),
                "--field=secret",
                "--destinationKeyId=" + KEY,
                "--threads=2",
                "--reEncrypt=" + reEncrypt));
        collectRun("pipeline." + name + "_", child(cmd, Map.of(), name).stdout());
        deleteTree(work.resolve("runs/" + name));
      }
      note("pipeline: FlinkRunner" + of + "...");
      pipelineBench("FlinkRunner", "flink", data, samples, "--parallelism=2");
      note("pipeline: scripts/rekey, launch to exit, " + jdk() + of + "...");
      figures.addRun("pipeline.flink_whole_s", wholeRekey(data, samples, null), jdk());
      if (options.java17() != null) {
        note("pipeline: scripts/rekey, launch to exit, " + options.java17().version() + of + "...");
        figures.addRun(
            "pipeline.flink_whole_s_java17",
            wholeRekey(data, samples, options.java17()),
            options.java17().version());
      }
    }
    if (options.wanted("pipeline") || options.wanted("direct")) {
      note("pipeline: DirectRunner...");
      // The Direct runner's model checks encode every element once more; a benchmark leaves them
      // off.
      pipelineBench(
          "DirectRunner",
          "direct",
          data,
          samples,
          "--enforceImmutability=false",
          "--enforceEncodability=false",
          "--targetParallelism=2");
    }
    figures.medians();
  }

  /** One PipelineBench run in a fresh JVM with a 1 GiB heap. */
  private void pipelineBench(
      String runner, String name, Path data, Samples samples, String... runnerOptions)
      throws IOException {
    Path out = work.resolve("runs/" + name);
    deleteTree(out); // left by an interrupted bench
    List<String> cmd =
        jvm(runner.equals("DirectRunner") ? options.directJvm() : options.flinkJvm());
    cmd.add("io.qkms.bench.PipelineBench");
    cmd.add("--runner=" + runner);
    cmd.addAll(List.of(runnerOptions));
    cmd.addAll(
        List.of(
            "--input=" + data,
            "--output=" + out,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + KEY));
    String stdout = child(cmd, Map.of(), name).stdout();
    if (name.equals("direct")) {
      collect("pipeline." + name + "_", stdout);
    } else {
      collectRun("pipeline." + name + "_", stdout);
    }
    deleteTree(out);
  }

  /**
   * {@code java -Xms1g -Xmx1g OPTIONS -cp <job jar>:<bench classes>}: the job's JVM, as launched.
   */
  private List<String> jvm(List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>(List.of(options.jdk().java(), "-Xms1g", "-Xmx1g"));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(options.jobJar() + ":" + benchClasses());
    return cmd;
  }

  /**
   * PipelineBench on Flink embedded with parallelism 2, as the job sections run it, then {@code
   * args}.
   */
  private List<String> flinkBench(String... args) {
    List<String> cmd = jvm(options.flinkJvm());
    cmd.addAll(List.of("io.qkms.bench.PipelineBench", "--runner=FlinkRunner", "--parallelism=2"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Seconds from starting {@code scripts/rekey} on the bench data to its exit. */
  private double wholeRekey(Path data, Samples samples, Jdk jdk) throws IOException {
    Path out = work.resolve("runs/whole");
    deleteTree(out);
    double s =
        child(
                List.of(
                    "bash",
                    script("rekey"),
                    "--input=" + data,
                    "--output=" + out,
                    "--keystore=" + samples.keystore(),
                    "--fields=secret",
                    "--destinationKeyId=" + KEY),
                javaHome(jdk),
                "rekey-whole")
            .seconds();
    deleteTree(out);
    return s;
  }

  // ---- the samples and the command line: launch to exit, the default JDK against Java 17 --------

  private void samples() throws IOException {
    Map<String, String> env =
        new HashMap<>(Map.of("QKMS_SAMPLES_WORK", work.resolve("demo").toString()));
    List<String> cmd = List.of("bash", script("rekey"), "--samples");
    note("samples: a first run of each JDK, not counted (it may make the start-up cache)...");
    child(cmd, with(env, javaHome(null)), "samples-first");
    if (options.java17() != null) {
      child(cmd, with(env, javaHome(options.java17())), "samples-first-java17");
    }
    for (int i = 1; i <= options.repeat(); i++) {
      note("samples: scripts/rekey --samples (run " + i + " of " + options.repeat() + ")...");
      figures.addRun(
          "samples.whole_s", child(cmd, with(env, javaHome(null)), "samples").seconds(), jdk());
      if (options.java17() != null) {
        figures.addRun(
            "samples.whole_s_java17",
            child(cmd, with(env, javaHome(options.java17())), "samples-java17").seconds(),
            options.java17().version());
      }
    }
    figures.medians();
  }

  private void cli() throws IOException {
    Path ks = work.resolve("cli-ks");
    deleteTree(ks);
    child(
        List.of("bash", script("qkms"), "init", "--keystore", ks.toString()), Map.of(), "cli-init");
    String key =
        child(
                List.of(
                    "bash",
                    script("qkms"),
                    "create-key",
                    "--keystore",
                    ks.toString(),
                    "--query",
                    "KeyMetadata.KeyId",
                    "--output",
                    "text"),
                Map.of(),
                "cli-create-key")
            .stdout()
            .strip();
    List<String> cmd =
        List.of(
            "bash", script("qkms"), "describe-key", "--keystore", ks.toString(), "--key-id", key);
    note("cli: a first run of each JDK, not counted (it may make the start-up cache)...");
    child(cmd, javaHome(null), "cli-first");
    if (options.java17() != null) {
      child(cmd, javaHome(options.java17()), "cli-first-java17");
    }
    // A start takes a second or two: more runs than the K of the long sections, as cheap.
    int runs = 2 * options.repeat() + 1;
    note("cli: scripts/qkms describe-key, " + runs + " runs of each JDK, alternating...");
    for (int i = 1; i <= runs; i++) {
      figures.addRun("cli.whole_s", child(cmd, javaHome(null), "cli").seconds(), jdk());
      if (options.java17() != null) {
        figures.addRun(
            "cli.whole_s_java17",
            child(cmd, javaHome(options.java17()), "cli-java17").seconds(),
            options.java17().version());
      }
    }
    figures.medians();
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /**
   * The servers of the HTTP section: plain HTTP, the same without its audit trail, and TLS, loaded
   * by clients on Conscrypt's TLS (native, as the AWS CLI's and boto3's OpenSSL) and, for
   * comparison, on the JDK's.
   */
  private enum HttpVariant {
    PLAIN("http.reencrypt_req_per_s"),
    AUDIT_OFF("http.audit_off_req_per_s"),
    TLS("http.tls_req_per_s"),
    TLS_JDK_CLIENT("http.tls_jdk_client_req_per_s");

    final String figure;

    HttpVariant(String figure) {
      this.figure = figure;
    }
  }

  /**
   * Plain HTTP (audit trail on, as served by default), the same with {@code --audit-dir none}, and
   * HTTPS (a self-signed certificate, audit on; loaded by clients on Conscrypt's TLS, then on the
   * JDK's): each started, warmed up and loaded by 32 closed-loop clients, in turn, K rounds but at
   * least two (medians); then plain HTTP at half its rate for the latencies.
   */
  private void http() throws IOException, InterruptedException {
    Path ks = work.resolve("http-ks");
    deleteTree(ks);
    child(
        List.of("bash", script("qkms"), "init", "--keystore", ks.toString()),
        Map.of(),
        "http-init");
    Path cert = work.resolve("http-tls-cert.pem");
    Path key = work.resolve("http-tls-key.pem");
    Files.deleteIfExists(cert);
    Files.deleteIfExists(key);
    child(
        List.of(
            "bash", script("qkms"), "tls-cert", "--cert", cert.toString(), "--key", key.toString()),
        Map.of(),
        "http-tls-cert");
    // This machine kind runs at one of two speeds for minutes at a time: K rounds (three by
    // default), so that one round at the other speed does not move the median as it moved two.
    int rounds = Math.max(2, options.repeat());
    for (int round = 1; round <= rounds; round++) {
      for (HttpVariant v : HttpVariant.values()) {
        List<String> extra =
            switch (v) {
              case PLAIN -> List.of();
              case AUDIT_OFF -> List.of("--audit-dir", "none");
              case TLS, TLS_JDK_CLIENT ->
                  List.of("--tls-cert", cert.toString(), "--tls-key", key.toString());
            };
        String of =
            " (" + v.name().toLowerCase(Locale.ROOT) + ", round " + round + " of " + rounds + ")";
        withServer(
            ks,
            extra,
            (endpoint, load) -> {
              List<String> client =
                  switch (v) {
                    case PLAIN, AUDIT_OFF -> load;
                    case TLS -> with(load, "--ca-bundle", cert.toString(), "--tls", "conscrypt");
                    case TLS_JDK_CLIENT ->
                        with(load, "--ca-bundle", cert.toString(), "--tls", "jdk");
                  };
              note("http: warming the server up (15 s, not counted)" + of + "...");
              child(
                  with(client, "--clients", "32", "--seconds", "10", "--warmup", "5"),
                  Map.of(),
                  "http-warmup");
              note("http: closed loop, 32 clients" + of + "...");
              Map<String, Double> closed =
                  lines(
                      child(
                              with(client, "--clients", "32", "--seconds", "20", "--warmup", "5"),
                              Map.of(),
                              "http-closed")
                          .stdout());
              figures.addRun(v.figure, closed.get("req_per_s"), jdk());
            });
      }
    }
    figures.medians();
    long half = Math.round(figures.get(HttpVariant.PLAIN.figure) / 2);
    withServer(
        ks,
        List.of(),
        (endpoint, load) -> {
          note("http: " + half + " req/s offered (half), 16 clients...");
          child(
              with(load, "--clients", "16", "--seconds", "10", "--warmup", "5"),
              Map.of(),
              "http-warmup");
          Map<String, Double> h =
              lines(
                  child(
                          with(
                              load,
                              "--clients",
                              "16",
                              "--seconds",
                              "20",
                              "--warmup",
                              "5",
                              "--rate",
                              Long.toString(half)),
                          Map.of(),
                          "http-half")
                      .stdout());
          figures.put("http.half_load_req_per_s", (double) half, jdk());
          figures.put("http.p50_ms", h.get("p50_ms"), jdk());
          figures.put("http.p99_ms", h.get("p99_ms"), jdk());
        });
  }

  /** What runs against a started server: its endpoint, and the load generator's command. */
  @FunctionalInterface
  private interface AgainstServer {
    void run(String endpoint, List<String> load) throws IOException, InterruptedException;
  }

  /** Starts {@code qkms serve} over {@code ks} on a free port with {@code extra}, runs, stops. */
  private void withServer(Path ks, List<String> extra, AgainstServer body)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    boolean tls = extra.contains("--tls-cert");
    String endpoint = (tls ? "https" : "http") + "://127.0.0.1:" + port;
    note("http: starting qkms serve on " + endpoint + " " + String.join(" ", extra) + "...");
    Path serveLog = work.resolve("serve.log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash",
                script("qkms"),
                "serve",
                "--keystore",
                ks.toString(),
                "--port",
                Integer.toString(port),
                "--access-log",
                "none"));
    cmd.addAll(extra);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serveLog.toFile());
    pb.environment().putAll(javaHome(null));
    Process server = pb.start();
    try {
      awaitListening(port, server, serveLog);
      List<String> load =
          List.of(
              options.jdk().java(),
              "-XX:+UnlockExperimentalVMOptions",
              // No collector: the load generator never pauses, so its pauses never count as
              // server latency; a run allocates a few hundred MB.
              "-XX:+UseEpsilonGC",
              "-Xlog:gc+init=off",
              "-Xms2g",
              "-Xmx8g",
              "-cp",
              System.getProperty("java.class.path"),
              "io.qkms.bench.HttpLoad",
              "--credentials",
              ks.resolve("credentials").toString(),
              "--endpoint",
              endpoint,
              "--lines");
      body.run(endpoint, load);
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  // ---- the job through a KMS endpoint -------------------------------------------------------

  /** Records of the remote section: 200,000, or fewer when {@code --records} asks for fewer. */
  static final int REMOTE_RECORDS = 200_000;

  /** The endpoint's quota and the job's budget of the quota run, requests/s. */
  static final int REMOTE_BUDGET = 2_000;

  static final int REMOTE_BATCH = 100;

  /** Records of the job that warms the quota run's server up (about 10 s at the budget). */
  static final int REMOTE_WARM_UP = 20_000;

  /**
   * The job through {@code qkms serve} on the same two cores. Once against a server with a quota of
   * {@value #REMOTE_BUDGET} requests/s and the job's budget the same, the server warmed up by a job
   * on {@value #REMOTE_WARM_UP} records first: the requests/s the server accepted against the
   * budget, and the fraction of requests throttled. Then, K times alternating, the job with the
   * embedded engine (its baseline) and the job against an unlimited server (warmed up by unmeasured
   * batch runs on the same records until its CPU per item settles: {@link #warmUp}) in batches of
   * {@value #REMOTE_BATCH}: records/s, their ratio, and the server's CPU per item.
   */
  private void remote() throws IOException, InterruptedException {
    int n = Math.min(options.records(), REMOTE_RECORDS);
    Path samplesDir = work.resolve("remote-samples");
    note("remote: generating " + n + " records...");
    deleteTree(samplesDir);
    Samples samples = Samples.at(samplesDir);
    samples.init();
    Path data = samples.bench(n);
    // The SDK's default chain of the job's JVM finds the account root's key the samples wrote.
    Map<String, String> env =
        Map.of(
            "AWS_SHARED_CREDENTIALS_FILE",
            samples.keystore().resolve(CredentialsFile.FILE_NAME).toString(),
            "AWS_PROFILE",
            CredentialsFile.PROFILE);
    String budget = Integer.toString(REMOTE_BUDGET);
    try (Served quota =
        serve(samples.keystore(), "remote-serve-quota", "--max-requests-per-second", budget)) {
      // A KMS endpoint is a long-running service: a fleet the job meets is warm. A server fresh
      // from its JVM start answers slowly for its first tens of thousands of requests (JIT), and
      // that start-up, not the job's pacing, would be measured. So a short job warms it first.
      note("remote: warming the server up with a job on " + REMOTE_WARM_UP + " records...");
      child(
          remoteJob(
              samples.bench(REMOTE_WARM_UP),
              samples,
              quota.endpoint(),
              "remote-warm-up",
              "--kmsMaxRequestsPerSecond=" + budget),
          env,
          "remote-warm-up");
      deleteTree(work.resolve("runs/remote-warm-up"));
      note(
          "remote: qkms serve --max-requests-per-second "
              + budget
              + ", the job with --kmsMaxRequestsPerSecond="
              + budget
              + " (about "
              + n / REMOTE_BUDGET
              + " s)...");
      Map<String, Double> q =
          lines(
              child(
                      remoteJob(
                          data,
                          samples,
                          quota.endpoint(),
                          "remote-quota",
                          "--kmsMaxRequestsPerSecond=" + budget),
                      env,
                      "remote-quota")
                  .stdout());
      figures.put("remote.budget_requests_per_s", REMOTE_BUDGET, jdk());
      figures.put("remote.quota_records_per_s", q.get("records_per_s"), jdk());
      figures.put(
          "remote.quota_accepted_requests_per_s", q.get("kms_accepted_requests_per_s"), jdk());
      figures.put("remote.quota_requests", q.get("kms_requests"), jdk());
      figures.put("remote.quota_throttled", q.get("kms_throttled"), jdk());
      figures.put("remote.quota_throttled_s", q.get("kms_throttled_s"), jdk());
      figures.put("remote.quota_dead_letters", q.get("dead_letters"), jdk());
    }
    try (Served unlimited = serve(samples.keystore(), "remote-serve")) {
      warmUp(unlimited, data, samples, env, n);
      for (int i = 1; i <= options.repeat(); i++) {
        String of = " (run " + i + " of " + options.repeat() + ")";
        note("remote: the job with the embedded engine, baseline" + of + "...");
        Path out = work.resolve("runs/remote-embedded");
        deleteTree(out); // left by an interrupted bench
        List<String> cmd =
            flinkBench(
                "--input=" + data,
                "--output=" + out,
                "--keystore=" + samples.keystore(),
                "--fields=secret",
                "--destinationKeyId=" + KEY);
        Map<String, Double> e = lines(child(cmd, Map.of(), "remote-embedded").stdout());
        figures.addRun("remote.embedded_records_per_s", e.get("records_per_s"), jdk());
        deleteTree(out);
        note("remote: the job through the endpoint, batches of " + REMOTE_BATCH + of + "...");
        double cpu = unlimited.cpuSeconds();
        Map<String, Double> b =
            lines(
                child(
                        remoteJob(
                            data,
                            samples,
                            unlimited.endpoint(),
                            "remote-batch",
                            "--kmsBatchSize=" + REMOTE_BATCH),
                        env,
                        "remote-batch")
                    .stdout());
        figures.addRun("remote.batch_records_per_s", b.get("records_per_s"), jdk());
        double serverUs = (unlimited.cpuSeconds() - cpu) * 1e6 / n;
        if (Double.isFinite(serverUs)) { // NaN where the OS gives no CPU time: left out
          figures.addRun("remote.batch_server_us_per_item", serverUs, jdk());
        }
        figures.addRun("remote.batch_dead_letters", b.get("dead_letters"), jdk());
      }
      figures.medians();
    }
  }

  /** Warm-up batch runs of the unlimited server, fewest and most. */
  static final int REMOTE_WARM_UP_MIN_RUNS = 2;

  static final int REMOTE_WARM_UP_MAX_RUNS = 5;

  /**
   * Warms the unlimited server up, as a service the job meets is warm: a fresh server compiles its
   * hot paths while it answers, and its CPU per item kept falling over several runs of the job
   * (from about 60 to under 20 us in a profile). So batch runs on the same records go first,
   * unmeasured, until one costs the server at least nine tenths of what the one before cost per
   * item (at least {@value #REMOTE_WARM_UP_MIN_RUNS}, at most {@value #REMOTE_WARM_UP_MAX_RUNS}
   * runs).
   */
  private void warmUp(Served server, Path data, Samples samples, Map<String, String> env, int n)
      throws IOException, InterruptedException {
    double before = Double.NaN;
    int runs = 0;
    double perItem = Double.NaN;
    while (runs < REMOTE_WARM_UP_MAX_RUNS) {
      runs++;
      note(
          "remote: warming the unlimited server up with a batch run on "
              + n
              + " records (run "
              + runs
              + ", at most "
              + REMOTE_WARM_UP_MAX_RUNS
              + ")...");
      double cpu = server.cpuSeconds();
      child(
          remoteJob(
              data, samples, server.endpoint(), "remote-warm-up", "--kmsBatchSize=" + REMOTE_BATCH),
          env,
          "remote-warm-up-batch");
      deleteTree(work.resolve("runs/remote-warm-up"));
      perItem = (server.cpuSeconds() - cpu) * 1e6 / n;
      note(String.format(Locale.ROOT, "remote: the server's CPU per item: %.1f us", perItem));
      // NaN (no CPU time from this OS) compares false: the runs stop at the minimum.
      boolean steady = !(perItem < 0.9 * before);
      if (runs >= REMOTE_WARM_UP_MIN_RUNS && steady) {
        break;
      }
      before = perItem;
    }
    figures.put("remote.warm_up_runs", runs, jdk());
    if (Double.isFinite(perItem)) {
      figures.put("remote.warm_up_server_us_per_item", perItem, jdk());
    }
  }

  /** A PipelineBench run on Flink embedded (parallelism 2) through {@code endpoint}. */
  private List<String> remoteJob(
      Path data, Samples samples, String endpoint, String name, String... more) throws IOException {
    Path out = work.resolve("runs/" + name);
    deleteTree(out);
    List<String> cmd =
        flinkBench(
            "--input=" + data,
            "--output=" + out,
            "--kmsEndpoint=" + endpoint,
            "--region=" + Samples.US_EAST_1.name(),
            "--fields=secret",
            "--destinationKeyId=" + KEY);
    cmd.addAll(List.of(more));
    return cmd;
  }

  /** A {@code qkms serve} of the benchmark, stopped on close. */
  private record Served(Process process, int port) implements AutoCloseable {
    String endpoint() {
      return "http://127.0.0.1:" + port;
    }

    /** The server's CPU time so far (the launcher execs its JVM), or NaN where the OS says none. */
    double cpuSeconds() {
      return process
          .toHandle()
          .info()
          .totalCpuDuration()
          .map(d -> d.toNanos() / 1e9)
          .orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** {@code scripts/qkms serve} of {@code keystore} on a free loopback port, listening. */
  private Served serve(Path keystore, String name, String... more)
      throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path serveLog = work.resolve("logs/" + name + ".log");
    Files.createDirectories(serveLog.getParent());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash",
                script("qkms"),
                "serve",
                "--keystore",
                keystore.toString(),
                "--port",
                Integer.toString(port),
                "--access-log",
                "none"));
    cmd.addAll(List.of(more));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serveLog.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(javaHome(null));
    Served served = new Served(pb.start(), port);
    try {
      awaitListening(port, served.process(), serveLog);
    } catch (IOException | RuntimeException e) {
      served.close();
      throw e;
    }
    return served;
  }

  private void awaitListening(int port, Process server, Path serveLog)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (!server.isAlive()) {
          throw new IOException(
              "qkms serve exited (" + server.exitValue() + "): " + firstLine(serveLog));
        }
        Thread.sleep(100);
      }
    }
    throw new IOException(
        "qkms serve did not listen on " + port + " within 120 s (" + serveLog + ")");
  }

  // ---- census and resume --------------------------------------------------------------------

  /**
   * --census against the re-key job on the same data, alternating, each records/s from its first
   * record to its end: the census's from census.json (processingRecordsPerSecond: to the counts
   * read), the job's from PipelineBench (to the output committed and checked). Also the census's
   * records/s from its pipeline's start (the cluster's start-up included), and both commands'
   * launch-to-exit seconds.
   */
  private void census() throws Exception {
    Samples samples = benchSamples();
    Path data = benchData();
    for (int i = 1; i <= options.repeat(); i++) {
      String of = " (run " + i + " of " + options.repeat() + ")";
      note("census: --census on FlinkRunner" + of + "...");
      Path out = work.resolve("runs/census");
      deleteTree(out);
      List<String> cmd = jvm(options.flinkJvm());
      cmd.addAll(
          List.of(
              "io.qkms.pipeline.ReKeyJob",
              "--census",
              "--runner=FlinkRunner",
              "--parallelism=2",
              "--input=" + data,
              "--output=" + out,
              "--keystore=" + samples.keystore(),
              "--fields=secret"));
      Ran census = child(cmd, Map.of(), "census");
      JsonNode c = new ObjectMapper().readTree(out.resolve("census.json").toFile());
      if (c.get("blobs").asLong() != options.records()) {
        throw new IOException(
            "the census counted " + c.get("blobs") + " blobs, not " + options.records());
      }
      figures.addRun("census.records_per_s", c.get("processingRecordsPerSecond").asDouble(), jdk());
      figures.addRun("census.whole_records_per_s", c.get("recordsPerSecond").asDouble(), jdk());
      figures.addRun("census.whole_s", census.seconds(), jdk());
      deleteTree(out);

      note("census: the re-key job on FlinkRunner, its baseline" + of + "...");
      Path jobOut = work.resolve("runs/census-job");
      deleteTree(jobOut);
      List<String> job =
          flinkBench(
              "--input=" + data,
              "--output=" + jobOut,
              "--keystore=" + samples.keystore(),
              "--fields=secret",
              "--destinationKeyId=" + KEY);
      Ran ran = child(job, Map.of(), "census-job");
      Map<String, Double> j = lines(ran.stdout());
      figures.addRun("census.job_records_per_s", j.get("records_per_s"), jdk());
      figures.addRun("census.job_whole_s", ran.seconds(), jdk());
      deleteTree(jobOut);
    }
    figures.medians();
  }

  /**
   * A resumable run to its end against one killed half-way and resumed, alternating. The kill comes
   * once half the shards are committed and a worker holds re-keyed records at the test gate ({@link
   * io.qkms.pipeline.worker.Hold}), so records are in flight when it strikes; the figures are the
   * resumed run's alone.
   */
  private void resume() throws Exception {
    Samples samples = benchSamples();
    Path data = benchData();
    Path out = work.resolve("runs/resume");
    long shardBytes = Math.max(1, Files.size(data) / 16);
    List<String> job =
        flinkBench(
            "--input=" + data,
            "--output=" + out,
            "--keystore=" + samples.keystore(),
            "--fields=secret",
            "--destinationKeyId=" + KEY,
            "--shardBytes=" + shardBytes);
    for (int i = 1; i <= options.repeat(); i++) {
      String of = " (run " + i + " of " + options.repeat() + ")";
      note("resume: a --resumable run to its end" + of + "...");
      deleteTree(out);
      Map<String, Double> full =
          lines(child(with(job, "--resumable"), Map.of(), "resume-full").stdout());
      figures.addRun("resume.full_s", full.get("total_s"), jdk());
      figures.addRun(
          "resume.full_processing_s", full.get("total_s") - full.get("startup_s"), jdk());

      note("resume: a --resumable run killed half-way" + of + "...");
      deleteTree(out);
      double fraction = killHalfWay(with(job, "--resumable"), out);
      figures.addRun("resume.committed_at_kill_fraction", fraction, jdk());
      note("resume: --resume" + of + "...");
      Map<String, Double> resumed =
          lines(child(with(job, "--resume"), Map.of(), "resume-resumed").stdout());
      if (resumed.get("records") != options.records()) {
        throw new IOException(
            "the resumed run counted " + resumed.get("records") + " records over its attempts");
      }
      figures.addRun("resume.resumed_s", resumed.get("total_s"), jdk());
      figures.addRun(
          "resume.resumed_processing_s", resumed.get("total_s") - resumed.get("startup_s"), jdk());
      deleteTree(out);
    }
    figures.medians();
  }

  /**
   * Starts {@code cmd}, raises the hold gate once half of the run's shards are committed, SIGKILLs
   * the run when a worker holds; returns the fraction of shards committed then.
   */
  private double killHalfWay(List<String> cmd, Path out) throws IOException, InterruptedException {
    Path gate = work.resolve("resume-hold");
    Files.deleteIfExists(gate);
    Path log = work.resolve("logs/resume-killed.log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put(io.qkms.pipeline.worker.Hold.VARIABLE, gate.toString());
    Process p = pb.start();
    Path manifest = out.resolve(io.qkms.pipeline.manifest.Manifest.DIR);
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    int shards = 0;
    try {
      while (true) {
        if (!p.isAlive()) {
          throw new IOException(
              "the run to kill ended (exit " + p.exitValue() + ") first (log: " + log + ")");
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("the run to kill did not get half-way (log: " + log + ")");
        }
        Path run = manifest.resolve(io.qkms.pipeline.manifest.Manifest.RUN_FILE);
        if (shards == 0 && Files.exists(run)) {
          shards = new ObjectMapper().readTree(run.toFile()).at("/body/shards").size();
        }
        if (shards > 0 && !Files.exists(gate) && entries(manifest) * 2 >= shards) {
          Files.writeString(gate, "hold");
        }
        if (Files.exists(gate) && held(gate)) {
          break;
        }
        Thread.sleep(10);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(1, TimeUnit.MINUTES);
      Files.deleteIfExists(gate);
      try (Stream<Path> s = Files.list(work)) {
        for (Path h :
            s.filter(f -> f.getFileName().toString().startsWith("resume-hold.held-")).toList()) {
          Files.delete(h);
        }
      }
    }
    return entries(manifest) / (double) shards;
  }

  private static boolean held(Path gate) throws IOException {
    try (Stream<Path> s = Files.list(gate.getParent())) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith(gate.getFileName() + ".held-"));
    }
  }

  private static int entries(Path manifest) throws IOException {
    if (!Files.isDirectory(manifest)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(manifest)) {
      return (int) s.filter(f -> f.getFileName().toString().startsWith("shard-")).count();
    }
  }

  // ---- parquet ------------------------------------------------------------------------------

  /** The Parquet section's runs, in the order they alternate, and their figures' prefix. */
  private enum ParquetRun {
    PARQUET("parquet", "parquet."),
    AVRO("avro", "parquet.avro_"),
    S3("s3", "parquet.s3_");

    final String name;
    final String figures;

    ParquetRun(String name, String figures) {
      this.name = name;
      this.figures = figures;
    }
  }

  /**
   * The re-key job on the N records as Parquet (input and output) against the same records as Avro,
   * and the same Parquet job with its input and output on an S3 API server on loopback (S3Proxy,
   * filesystem backend), alternating, all on FlinkRunner through PipelineBench: records/s from the
   * first record to the committed and checked output, and launch-to-end seconds.
   */
  private void parquet() throws Exception {
    Samples samples = benchSamples();
    Path avro = benchData();
    Path parquet = work.resolve("samples/data/bench-" + options.records() + ".parquet");
    if (!Files.exists(parquet)) {
      note("parquet: writing the " + options.records() + " records as Parquet...");
      ParquetData.fromAvro(avro, parquet);
    }
    note("parquet: starting S3Proxy on loopback, uploading the Parquet input...");
    Path s3proxy = options.root().resolve("pipeline/bench/target/s3proxy/s3proxy.jar");
    try (BenchS3 s3 = BenchS3.start(s3proxy, options.jdk().java(), work.resolve("s3"))) {
      s3.createBucket(BUCKET);
      s3.put(BUCKET, "in/" + parquet.getFileName(), parquet);
      Path out = work.resolve("runs/parquet");
      for (int i = 1; i <= options.repeat(); i++) {
        String of = " (run " + i + " of " + options.repeat() + ")";
        for (ParquetRun run : ParquetRun.values()) {
          note("parquet: the re-key job on " + run.name + ", FlinkRunner" + of + "...");
          List<String> job =
              switch (run) {
                case PARQUET -> flinkBench("--input=" + parquet, "--output=" + out);
                case AVRO -> flinkBench("--input=" + avro, "--output=" + out);
                case S3 ->
                    flinkBench(
                        "--input=s3://" + BUCKET + "/in/*.parquet",
                        "--output=s3://" + BUCKET + "/runs/" + i,
                        "--s3Endpoint=" + s3.endpoint());
              };
          job.addAll(
              List.of(
                  "--keystore=" + samples.keystore(),
                  "--fields=secret",
                  "--destinationKeyId=" + KEY));
          deleteTree(out);
          Map<String, String> env = run == ParquetRun.S3 ? s3.credentialsEnvironment() : Map.of();
          Map<String, Double> r = lines(child(job, env, "parquet-" + run.name).stdout());
          if (r.get("records") != options.records()) {
            throw new IOException(
                "the "
                    + run.name
                    + " run read "
                    + r.get("records")
                    + " records, not "
                    + options.records());
          }
          figures.addRun(run.figures + "records_per_s", r.get("records_per_s"), jdk());
          figures.addRun(run.figures + "total_s", r.get("total_s"), jdk());
          if (run == ParquetRun.S3) {
            s3.deleteObjects(BUCKET, "runs/" + i);
          } else {
            deleteTree(out);
          }
        }
      }
    }
    figures.medians();
  }

  // ---- ratios and JSON ----------------------------------------------------------------------

  private void ratios() {
    String engine2t = "engine.reencrypt_64b_2t_ops_per_s";
    figures.ratio("pipeline.flink_to_engine_2t_ratio", "pipeline.flink_records_per_s", engine2t);
    figures.ratio(
        "pipeline.flink_second_half_to_engine_2t_ratio",
        "pipeline.flink_second_half_records_per_s",
        engine2t);
    figures.ratio(
        "pipeline.flink_to_bare_loop_ratio",
        "pipeline.flink_records_per_s",
        "pipeline.bare_loop_records_per_s");
    figures.ratio(
        "pipeline.bare_loop_to_engine_2t_ratio", "pipeline.bare_loop_records_per_s", engine2t);
    figures.ratio("pipeline.direct_to_engine_2t_ratio", "pipeline.direct_records_per_s", engine2t);
    figures.alias("pipeline.heap_peak_mb", "pipeline.flink_heap_peak_mb");
    figures.ratio(
        "pipeline.whole_to_java17_ratio",
        "pipeline.flink_whole_s",
        "pipeline.flink_whole_s_java17");
    figures.ratio("samples.whole_to_java17_ratio", "samples.whole_s", "samples.whole_s_java17");
    figures.ratio("cli.whole_to_java17_ratio", "cli.whole_s", "cli.whole_s_java17");
    figures.ratio(
        "http.to_engine_1t_ratio", "http.reencrypt_req_per_s", "engine.reencrypt_64b_ops_per_s");
    figures.ratio("http.tls_to_plain_ratio", "http.tls_req_per_s", "http.reencrypt_req_per_s");
    figures.ratio(
        "http.tls_jdk_client_to_plain_ratio",
        "http.tls_jdk_client_req_per_s",
        "http.reencrypt_req_per_s");
    figures.ratio(
        "http.audit_to_off_ratio", "http.reencrypt_req_per_s", "http.audit_off_req_per_s");
    figures.ratio("census.to_job_ratio", "census.records_per_s", "census.job_records_per_s");
    figures.ratio("census.whole_to_job_whole_ratio", "census.whole_s", "census.job_whole_s");
    figures.ratio("resume.half_to_full_time_ratio", "resume.resumed_s", "resume.full_s");
    figures.ratio(
        "resume.half_to_full_processing_ratio",
        "resume.resumed_processing_s",
        "resume.full_processing_s");
    figures.ratio(
        "remote.achieved_to_budget_ratio",
        "remote.quota_accepted_requests_per_s",
        "remote.budget_requests_per_s");
    figures.ratio("remote.throttled_fraction", "remote.quota_throttled", "remote.quota_requests");
    figures.ratio(
        "remote.batch_to_embedded_ratio",
        "remote.batch_records_per_s",
        "remote.embedded_records_per_s");
    figures.ratio("parquet.to_avro_ratio", "parquet.records_per_s", "parquet.avro_records_per_s");
    figures.ratio("parquet.total_to_avro_total_ratio", "parquet.total_s", "parquet.avro_total_s");
    figures.ratio("parquet.s3_to_local_ratio", "parquet.s3_records_per_s", "parquet.records_per_s");
    figures.ratio("parquet.s3_total_to_local_total_ratio", "parquet.s3_total_s", "parquet.total_s");
  }

  private String json() throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    root.put(
        "date",
        DateTimeFormatter.ISO_INSTANT.format(
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
    root.put("command", options.command());
    ObjectNode machine = root.putObject("machine");
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("cpu", cpuModel());
    machine.put("memory_gib", memoryGib());
    ObjectNode jdks = root.putObject("jdks");
    ObjectNode d = jdks.putObject("default");
    d.put("version", options.jdk().version());
    d.put("home", options.jdk().home());
    d.put("chosen_by", options.jdk().chosenBy());
    if (options.java17() != null) {
      ObjectNode j = jdks.putObject("java17");
      j.put("version", options.java17().version());
      j.put("home", options.java17().home());
    }
    ObjectNode results = root.putObject("results");
    figures.values().forEach((k, v) -> results.put(k, Math.round(v * 10_000) / 10_000.0));
    ObjectNode jdkOf = root.putObject("jdk_of");
    figures.values().keySet().forEach(k -> jdkOf.put(k, figures.jdkOf().get(k)));
    ObjectNode runs = root.putObject("runs");
    figures
        .runs()
        .forEach(
            (k, list) -> {
              ArrayNode a = runs.putArray(k);
              list.forEach(v -> a.add(Math.round(v * 1000) / 1000.0));
            });
    ArrayNode errs = root.putArray("errors");
    errors.forEach(errs::add);
    return mapper.writeValueAsString(root) + "\n";
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | UncheckedIOException e) {
      return "unknown";
    }
  }

  private static long memoryGib() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines
          .filter(l -> l.startsWith("MemTotal:"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .map(kb -> Math.round(kb / 1048576.0))
          .findFirst()
          .orElse(0L);
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  // ---- processes ----------------------------------------------------------------------------

  /** What a child process did: its exit code (always 0 here), stdout and wall-clock seconds. */
  record Ran(String stdout, double seconds) {}

  /**
   * Runs a child process to its end (bounded), stderr into {@code target/bench/logs/NAME.log}. A
   * non-zero exit is an error of the section, with the log's first error line.
   */
  private Ran child(List<String> cmd, Map<String, String> env, String name) throws IOException {
    Path logs = work.resolve("logs");
    Files.createDirectories(logs);
    Path err = logs.resolve(name + ".log");
    Path out = logs.resolve(name + ".out");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile());
    // AWS credentials are given to a child only by name (the remote section's).
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    try {
      if (!p.waitFor(RUN_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(name + " did not finish in " + RUN_TIMEOUT.toMinutes() + " minutes");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (p.exitValue() != 0) {
      throw new IOException(
          name + " exited with " + p.exitValue() + ": " + firstLine(err) + " (log: " + err + ")");
    }
    return new Ran(Files.readString(out, StandardCharsets.UTF_8), seconds);
  }

  private static String firstLine(Path log) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> !l.isBlank()).findFirst().orElse("(nothing on stderr)");
    } catch (IOException | UncheckedIOException e) {
      return "(no log)";
    }
  }

  /** JAVA_HOME for a launcher run: the JDK given, or the one this bench runs on. */
  private Map<String, String> javaHome(Jdk jdk) {
    return Map.of("JAVA_HOME", (jdk == null ? options.jdk() : jdk).home());
  }

  private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new HashMap<>(a);
    m.putAll(b);
    return m;
  }

  private static List<String> with(List<String> cmd, String... more) {
    List<String> all = new ArrayList<>(cmd);
    all.addAll(List.of(more));
    return all;
  }

  private String script(String name) {
    return options.root().resolve("scripts").resolve(name).toString();
  }

  /** The bench classes' jar (or folder): the job's JVMs get them after the job jar. */
  private static String benchClasses() {
    try {
      return Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code name value} lines (what the harnesses print) as a map; other lines are ignored. */
  static Map<String, Double> lines(String stdout) {
    Map<String, Double> m = new HashMap<>();
    for (String l : stdout.split("\n")) {
      String[] p = l.strip().split("\\s+");
      if (p.length == 2 && p[1].matches("-?[0-9.]+")) {
        m.put(p[0], Double.parseDouble(p[1]));
      }
    }
    return m;
  }

  private void collect(String prefix, String stdout) {
    lines(stdout).forEach((k, v) -> figures.put(prefix + k, v, jdk()));
  }

  private void collectRun(String prefix, String stdout) {
    lines(stdout).forEach((k, v) -> figures.addRun(prefix + k, v, jdk()));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
