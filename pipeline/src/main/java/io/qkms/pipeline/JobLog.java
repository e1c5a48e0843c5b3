package io.qkms.pipeline;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The job's logging (java.util.logging, behind SLF4J): on stderr one line per message (the job's
 * own progress at INFO, everything else only at WARNING and above, without stack traces); in the
 * run's log file everything at INFO with stack traces. A user sees one clear line and where the
 * details are, never a wall of traces.
 */
final class JobLog {
  private static final String OWN = "io.qkms";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  /**
   * Loggers whose warnings a user cannot act on: Flink's metric-name truncation, the embedded
   * cluster's missing log file and tokens, batch jobs without checkpoints, Pekko's shutdown hook,
   * Beam's temp-file cleanup probe and its note on Java versions. They still go to the log file.
   */
  private static final Set<String> QUIET =
      Set.of(
          "org.apache.flink.metrics",
          "org.apache.flink.runtime.metrics",
          "org.apache.flink.runtime.webmonitor",
          "org.apache.flink.runtime.security.token",
          "org.apache.flink.runtime.jobmaster.JobMaster",
          "org.apache.pekko",
          "org.apache.beam.sdk.io.FileBasedSink",
          // On a Java newer than Beam 2.62 knows (25), Beam names the container image a portable
          // runner would use; the classic Flink and Direct runners use none.
          "org.apache.beam.sdk.util.construction.Environments");

  private static Console console;
  // JUL holds loggers weakly: keep the one whose level is set, or the level is lost.
  private static Logger own;

  private JobLog() {}

  /** Sends logging to stderr as described; idempotent. */
  static synchronized void toConsole() {
    if (console != null) {
      return;
    }
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    root.setLevel(Level.INFO);
    own = Logger.getLogger(OWN);
    // Tests ask for the job's own lines down to FINE (SLF4J's debug).
    own.setLevel(Level.parse(System.getProperty("qkms.log.level", "INFO")));
    console = new Console();
    root.addHandler(console);
  }

  /**
   * Also writes everything, with stack traces, to {@code file} until the returned handle is closed;
   * console lines about a failure then name the file.
   */
  static FileLog toFile(Path file) throws IOException {
    toConsole();
    Files.createDirectories(file.toAbsolutePath().getParent());
    FileHandler handler = new FileHandler(file.toString(), true);
    handler.setFormatter(new SimpleFormatter());
    handler.setLevel(Level.INFO);
    Logger.getLogger("").addHandler(handler);
    console.detailsIn = file;
    return new FileLog(file, handler);
  }

  /**
   * For {@link Thread#setDefaultUncaughtExceptionHandler}: an exception no thread caught becomes
   * one line on stderr (and the log file's stack trace while it is open), not a wall of traces. One
   * is expected and dropped: when the embedded cluster has closed its RPC system's class loader,
   * Pekko's JVM shutdown hook, run at exit, can no longer load a class it needs (FLINK-32314); the
   * cluster is down by then and nothing is lost.
   */
  static void uncaught(Thread thread, Throwable e) {
    if (e instanceof LinkageError && thread.getName().startsWith("flink-shutdown-hook")) {
      return;
    }
    Logger.getLogger(OWN).log(Level.SEVERE, "Uncaught in thread " + thread.getName() + ": " + e, e);
  }

  /** An open log file; {@link #close()} stops writing to it. */
  static final class FileLog implements AutoCloseable {
    private final Path file;
    private final Handler handler;

    private FileLog(Path file, Handler handler) {
      this.file = file;
      this.handler = handler;
    }

    Path file() {
      return file;
    }

    @Override
    public void close() {
      Logger.getLogger("").removeHandler(handler);
      handler.close();
      synchronized (JobLog.class) {
        if (console != null && file.equals(console.detailsIn)) {
          console.detailsIn = null;
        }
      }
    }
  }

  /** One line per message on the current {@code System.err} (looked up each time). */
  private static final class Console extends Handler {
    volatile Path detailsIn;

    @Override
    public void publish(LogRecord r) {
      if (!shown(r)) {
        return;
      }
      String message = firstLine(r.getMessage());
      if (r.getParameters() != null && r.getParameters().length > 0) {
        message = firstLine(new SimpleFormatter().formatMessage(r));
      }
      StringBuilder line =
          new StringBuilder()
              .append(LocalTime.now().format(TIME))
              .append(' ')
              .append(label(r.getLevel()))
              .append(' ')
              .append(message);
      Throwable t = r.getThrown();
      if (t != null) {
        line.append(" (").append(t.getClass().getSimpleName());
        Path details = detailsIn;
        line.append(details == null ? ")" : "; details in " + details + ")");
      }
      PrintStream err = System.err;
      err.println(line);
    }

    private static boolean shown(LogRecord r) {
      String name = r.getLoggerName() == null ? "" : r.getLoggerName();
      if (name.startsWith(OWN)) {
        return true; // the io.qkms logger's level decides
      }
      if (r.getLevel().intValue() < Level.WARNING.intValue()) {
        return false;
      }
      for (String quiet : QUIET) {
        if (name.startsWith(quiet)) {
          return r.getLevel().intValue() >= Level.SEVERE.intValue();
        }
      }
      return true;
    }

    private static String label(Level level) {
      if (level.intValue() >= Level.SEVERE.intValue()) {
        return "[ERROR]";
      }
      return level.intValue() >= Level.WARNING.intValue() ? "[WARN]" : "[INFO]";
    }

    private static String firstLine(String s) {
      if (s == null) {
        return "";
      }
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void flush() {
      System.err.flush();
    }

    @Override
    public void close() {}
  }
}
