package io.qkms.pipeline.testing;

import io.qkms.engine.api.Principal;
import io.qkms.engine.credentials.AccessKeys;
import io.qkms.engine.credentials.CredentialsFile;
import io.qkms.engine.credentials.NewAccessKey;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.RootKeySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code qkms serve} for the remote-KMS tests: {@code scripts/qkms serve} over a test's key
 * store, in its own process on a free port of 127.0.0.1, as a user runs it (the script builds the
 * command line when it is missing or stale). It can be killed (SIGKILL) and started again on the
 * same port, as an endpoint that crashes and comes back. {@link #credentials} writes an AWS
 * credentials file for a principal's new access key, for the job's SDK default chain.
 */
public final class QkmsServe implements AutoCloseable {
  /** The first start may build the command line. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(10);

  private final Path keystore;
  private final List<String> extraArgs;
  private final int port;
  private final Path log;
  private Process process;

  private QkmsServe(Path keystore, List<String> extraArgs, int port, Path log) {
    this.keystore = keystore;
    this.extraArgs = List.copyOf(extraArgs);
    this.port = port;
    this.log = log;
  }

  /** Serves {@code keystore} (with its root.key) on a free port; {@code extraArgs} go to serve. */
  public static QkmsServe start(Path keystore, List<String> extraArgs) throws IOException {
    QkmsServe s =
        new QkmsServe(keystore, extraArgs, freePort(), keystore.resolveSibling("qkms-serve.log"));
    s.start();
    return s;
  }

  /** The endpoint URL, {@code http://127.0.0.1:<port>} ({@code https} with {@code --tls-cert}). */
  public String endpoint() {
    return (extraArgs.contains("--tls-cert") ? "https" : "http") + "://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** (Re)starts the server on its port and waits until it listens. */
  public synchronized void start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(Launcher.ROOT.resolve("scripts").resolve("qkms").toString());
    cmd.addAll(
        List.of(
            "serve",
            "--keystore",
            keystore.toString(),
            "--port",
            Integer.toString(port),
            "--access-log",
            "none"));
    cmd.addAll(extraArgs);
    ProcessBuilder b =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    b.environment().keySet().removeIf(k -> k.startsWith("QKMS_") || k.startsWith("AWS_"));
    b.environment().put("JAVA_HOME", Launcher.thisJavaHome());
    process = b.start();
    process.getOutputStream().close();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "qkms serve exited with " + process.exitValue() + ": " + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
    kill();
    throw new IOException("qkms serve did not listen on " + port + " in " + START_TIMEOUT);
  }

  /** SIGKILL: the server and its JVM end at once, with requests in flight. */
  public synchronized void kill() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** What the server printed (its start-up lines; the access log is off). */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    kill();
  }

  /**
   * A new access key of {@code principal} in the key store (its root key beside it), written as
   * profile {@value CredentialsFile#PROFILE} of the credentials file {@code file}.
   */
  public static NewAccessKey credentials(Path keystore, Principal principal, Path file)
      throws IOException {
    try (FileKeyStore store =
        FileKeyStore.open(
            keystore,
            new RootKeySource.KeyFile(keystore.resolve(RootKeySource.DEFAULT_ROOT_KEY_FILE)),
            FileKeyStore.Mode.READ_WRITE)) {
      NewAccessKey key = AccessKeys.of(store).create(principal);
      CredentialsFile.write(
          file, CredentialsFile.PROFILE, key.accessKeyId(), key.secretAccessKey());
      return key;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
