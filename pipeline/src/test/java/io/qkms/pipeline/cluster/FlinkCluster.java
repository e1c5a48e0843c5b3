package io.qkms.pipeline.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A session cluster started and stopped with {@code scripts/flink-cluster}, in its own work folder,
 * and what the tests look at: its REST API, its processes (by pid file and by command line), and
 * the TaskManagers' log files.
 */
final class FlinkCluster {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);

  final Path work;
  private final Map<String, String> env;
  private String rest;

  FlinkCluster(Path work, Map<String, String> env) {
    this.work = work;
    this.env = env;
  }

  ScriptRun start(int taskManagers, int slots) throws IOException {
    Files.createDirectories(work);
    ScriptRun r =
        ScriptRun.run(
            "flink-cluster",
            List.of(
                "start",
                "--work",
                work.toString(),
                "--taskmanagers",
                Integer.toString(taskManagers),
                "--slots",
                Integer.toString(slots),
                "--timeout",
                "150"),
            work,
            env,
            work.resolve("start.out"),
            SCRIPT_TIMEOUT);
    if (r.exitCode() == 0) {
      rest = r.lastLine();
    }
    return r;
  }

  ScriptRun command(String command) {
    return ScriptRun.run(
        "flink-cluster",
        List.of(command, "--work", work.toString()),
        work,
        env,
        work.resolve(command + ".out"),
        SCRIPT_TIMEOUT);
  }

  /** The REST address, host:port, as start printed it. */
  String rest() {
    return rest;
  }

  Path conf() {
    return work.resolve("conf");
  }

  /** The pid in {@code pids/<name>.pid}. */
  long pid(String name) throws IOException {
    return Long.parseLong(Files.readString(work.resolve("pids").resolve(name + ".pid")).strip());
  }

  /** Live processes whose command line names this cluster's conf folder (as its JVMs' do). */
  List<Long> processes() {
    String conf = conf().toString();
    List<Long> out = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (List.of(cmd.split("\0")).contains(conf)) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException e) {
          // The process ended while we looked.
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Whether JVM {@code name} (jobmanager, taskmanager-N) of this cluster runs. */
  boolean runs(String name) throws IOException {
    Path pidFile = work.resolve("pids").resolve(name + ".pid");
    return Files.exists(pidFile) && processes().contains(pid(name));
  }

  /**
   * Starts TaskManager {@code name} (taskmanager-N) again after it was killed, as {@code
   * scripts/flink-cluster start} started it: the command line and environment of the running
   * TaskManager {@code survivor}, with the killed one's log files and pid file and a new resource
   * ID (the JobManager may not have let the dead one go yet). Waits (bounded) until {@code
   * expected} TaskManagers are registered, the new one among them. The script's {@code stop} ends
   * it as any other.
   */
  void restartTaskManager(String name, String survivor, int expected)
      throws IOException, InterruptedException {
    long from = pid(survivor);
    List<String> command =
        new ArrayList<>(
            List.of(
                new String(
                        Files.readAllBytes(Path.of("/proc/" + from + "/cmdline")),
                        StandardCharsets.UTF_8)
                    .split("\0")));
    String resourceId = "tm-" + name.substring(name.lastIndexOf('-') + 1) + "-" + System.nanoTime();
    for (int i = 0; i < command.size(); i++) {
      String a = command.get(i);
      if (a.startsWith("-Dlog.file=")) {
        command.set(i, "-Dlog.file=" + taskManagerLogOf(name));
      } else if (a.startsWith("taskmanager.resource-id=")) {
        command.set(i, "taskmanager.resource-id=" + resourceId);
      }
    }
    ProcessBuilder b = new ProcessBuilder(command).directory(work.toFile());
    b.environment().clear();
    for (String var :
        new String(
                Files.readAllBytes(Path.of("/proc/" + from + "/environ")), StandardCharsets.UTF_8)
            .split("\0")) {
      int eq = var.indexOf('=');
      if (eq > 0) {
        b.environment().put(var.substring(0, eq), var.substring(eq + 1));
      }
    }
    b.redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(work.resolve("log").resolve(name + ".out").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = b.start();
    Files.writeString(work.resolve("pids").resolve(name + ".pid"), p.pid() + "\n");
    long deadline = System.nanoTime() + SCRIPT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode tms = get("/taskmanagers").path("taskmanagers");
      boolean registered = false;
      for (JsonNode tm : tms) {
        registered |= tm.path("id").asText().equals(resourceId);
      }
      if (registered && tms.size() == expected) {
        return;
      }
      if (!p.isAlive()) {
        throw new IOException(name + " exited on restart; see " + taskManagerLogOf(name));
      }
      Thread.sleep(200);
    }
    throw new IOException(name + " did not register again within " + SCRIPT_TIMEOUT);
  }

  private Path taskManagerLogOf(String name) {
    return work.resolve("log").resolve(name + ".log");
  }

  JsonNode get(String path) throws IOException {
    try {
      HttpResponse<String> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create("http://" + rest + path))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The ID of the job that was submitted last. */
  String lastJob() throws IOException {
    String id = null;
    long newest = -1;
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (j.path("start-time").asLong() > newest) {
        newest = j.path("start-time").asLong();
        id = j.path("jid").asText();
      }
    }
    return id;
  }

  /**
   * Copies the cluster's logs (its JVMs' log and out files, and what the scripts printed) to {@code
   * target/flink-cluster-logs/<name>-<time>/} of the module, which outlives the test's temporary
   * folder; returns that folder.
   */
  Path keepLogs(String name) throws IOException {
    Path to =
        Path.of(System.getProperty("basedir", "."))
            .resolve("target")
            .resolve("flink-cluster-logs")
            .resolve(name + "-" + System.currentTimeMillis());
    Files.createDirectories(to);
    List<Path> files = new ArrayList<>();
    for (Path folder : List.of(work, work.resolve("log"))) {
      if (Files.isDirectory(folder)) {
        try (Stream<Path> s = Files.list(folder)) {
          s.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out"))
              .forEach(files::add);
        }
      }
    }
    for (Path f : files) {
      Files.copy(f, to.resolve(f.getFileName()));
    }
    return to;
  }

  Path taskManagerLog(int i) {
    return work.resolve("log").resolve("taskmanager-" + i + ".log");
  }
}
