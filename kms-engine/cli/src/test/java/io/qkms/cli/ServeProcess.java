package io.qkms.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code qkms serve} in its own JVM on a free 127.0.0.1 port: its endpoint and what it printed.
 */
record ServeProcess(
    Process process,
    URI endpoint,
    String startLine,
    List<String> stdout,
    BlockingQueue<String> stderr,
    List<Thread> pumps) {
  private static final Pattern SERVING = Pattern.compile("qkms: serving (https?://\\S+) .*");

  /**
   * Starts {@code qkms serve --keystore ks --port 0 [extra...]} and waits (at most a minute) until
   * it serves.
   */
  static ServeProcess start(Path ks, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Qkms.class.getName(),
                "serve",
                "--keystore",
                ks.toString(),
                "--port",
                "0"));
    command.addAll(List.of(extra));
    Process p = new ProcessBuilder(command).start();
    List<String> stdout = new CopyOnWriteArrayList<>();
    BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
    List<Thread> pumps =
        List.of(pump(p.getInputStream(), stdout::add), pump(p.getErrorStream(), stderr::add));
    while (true) {
      String line = stderr.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        p.destroyForcibly();
        throw new AssertionError("qkms serve did not start");
      }
      Matcher m = SERVING.matcher(line);
      if (m.matches()) {
        return new ServeProcess(p, URI.create(m.group(1)), line, stdout, stderr, pumps);
      }
    }
  }

  /** Waits for the process to end and for everything it printed to be read. */
  int exit() throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("qkms serve did not stop");
    }
    for (Thread t : pumps) {
      t.join(10_000);
    }
    return process.exitValue();
  }

  /** SIGTERM (through the handle: Process.destroy() would also close our end of its pipes). */
  int stop() throws InterruptedException {
    process.toHandle().destroy();
    return exit();
  }

  private static Thread pump(InputStream in, Consumer<String> lines) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  lines.accept(l);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}
