package io.qkms.pipeline.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.qkms.pipeline.testing.S3Server;
import io.qkms.pipeline.testing.Samples;
import io.qkms.pipeline.testing.TestDirs;
import io.qkms.pipeline.worker.Hold;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One Flink session cluster (one JobManager, {@value #TASK_MANAGERS} TaskManagers of {@value
 * #SLOTS} slots, on 127.0.0.1, started with {@code scripts/flink-cluster}) shared by the cluster
 * test classes that need the same one, so that each of their cases costs a job run, not a cluster
 * start. It lives in the root {@link ExtensionContext.Store} and is stopped once every class has
 * run. The TaskManagers' environment: the root key of the shared {@link #samples}' key store
 * (QKMS_ROOT_KEY_FILE, a copy in the cluster's work folder), the {@link Hold} gate, and the test S3
 * server's credentials (the AWS default chain; {@link S3Server} always uses the same ones).
 *
 * <p>A class asks for it with {@code @ExtendWith(SessionCluster.Extension.class)} and a {@code
 * SessionCluster} parameter of its {@code @BeforeAll} method, and calls {@link #ensureRunning}: a
 * class before it may have killed a TaskManager (then it is started again beside the others) or
 * stopped the cluster (then the cluster is started afresh); both are behaviours under test.
 */
final class SessionCluster implements ExtensionContext.Store.CloseableResource {
  static final int TASK_MANAGERS = 2;
  static final int SLOTS = 2;

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SessionCluster.class);

  /** The shared folder: samples, the hold gate and its marks, the cluster's work folder. */
  final Path dir;

  /** The key store and data sets whose root key the TaskManagers have. */
  final Samples samples;

  final byte[] rootKey;

  /** While this file exists, the TaskManagers' workers pause between batches ({@link Hold}). */
  final Path hold;

  final FlinkCluster cluster;

  private boolean failed;

  private SessionCluster() throws IOException {
    dir = Files.createTempDirectory("qkms-session-cluster-");
    samples = Samples.at(dir.resolve("samples"));
    samples.init();
    Path work = dir.resolve("cluster");
    Path secret = work.resolve("secrets").resolve("root.key");
    Files.createDirectories(secret.getParent());
    Files.copy(samples.keystore().resolve("root.key"), secret);
    rootKey = Files.readAllBytes(secret);
    hold = dir.resolve("hold");
    Map<String, String> env = new HashMap<>(S3Server.credentialsEnvironment());
    env.put("QKMS_ROOT_KEY_FILE", secret.toString());
    env.put(Hold.VARIABLE, hold.toString());
    cluster = new FlinkCluster(work, env);
  }

  /**
   * Makes the cluster whole: TaskManagers a class before killed are started again beside the
   * running ones; a cluster that is not running (never started, or stopped) is started.
   */
  void ensureRunning() throws IOException {
    if (cluster.rest() != null && cluster.runs("jobmanager")) {
      List<String> alive = new ArrayList<>();
      List<String> dead = new ArrayList<>();
      for (int i = 1; i <= TASK_MANAGERS; i++) {
        String name = "taskmanager-" + i;
        (cluster.runs(name) ? alive : dead).add(name);
      }
      if (!alive.isEmpty()) {
        try {
          for (String name : dead) {
            cluster.restartTaskManager(name, alive.get(0), alive.size() + 1);
            alive.add(name);
          }
          Files.deleteIfExists(hold);
          return;
        } catch (IOException e) {
          System.err.println("SessionCluster: " + e.getMessage() + "; starting the cluster again");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
    }
    if (!cluster.processes().isEmpty()) {
      cluster.command("stop");
    }
    Files.deleteIfExists(hold);
    ScriptRun start = cluster.start(TASK_MANAGERS, SLOTS);
    if (start.exitCode() != 0) {
      failed = true;
    }
    assertThat(start.output(), start.exitCode(), is(0));
    assertThat(start.lastLine(), cluster.rest().matches("127\\.0\\.0\\.1:\\d+"), is(true));
  }

  /** A test on this cluster failed: its logs are kept in target/ when it stops. */
  void failed() {
    failed = true;
  }

  @Override
  public void close() throws IOException {
    cluster.command("stop");
    if (failed) {
      System.err.println(
          "SessionCluster: the cluster's logs are in " + cluster.keepLogs("SessionCluster"));
    }
    TestDirs.deleteTree(dir);
  }

  /**
   * Gives test classes the shared cluster (made on first use), and marks it failed when one of
   * their tests fails, so that its logs are kept.
   */
  static final class Extension implements ParameterResolver, TestWatcher {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == SessionCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return shared(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      shared(context).failed();
    }

    private static SessionCluster shared(ExtensionContext context) {
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(
              SessionCluster.class,
              k -> {
                try {
                  return new SessionCluster();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              SessionCluster.class);
    }
  }
}
