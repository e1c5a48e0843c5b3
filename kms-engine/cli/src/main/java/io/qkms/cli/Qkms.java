package io.qkms.cli;

import io.qkms.engine.store.file.KeyStoreOpenException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The {@code qkms} command line: AWS-CLI-style commands for every operation of the engine ({@link
 * ApiCommand}), the key store's administration ({@link StoreCommands}) and {@code serve} ({@link
 * Serve}). This class parses the command line against the {@link CommandTree}, runs the command and
 * turns what happened into the exit status.
 *
 * <p>Exit status, as the AWS CLI: 0 success; 252 bad usage (unknown option, missing or bad value);
 * 254 an API error ({@code {"__type": ..., "message": ...}} on stderr); 255 any other failure (no
 * store, wrong root key, damaged store, I/O), reported in one line. {@code audit verify} exits with
 * 1 when the trail is not intact.
 */
public final class Qkms {
  static final int OK = 0;
  static final int USAGE = 252;
  static final int API_ERROR = 254;
  static final int FAILURE = 255;

  static final String DEBUG_ENV = "QKMS_DEBUG";
  static final String DEFAULT_ACCOUNT = "111122223333";
  static final String DEFAULT_REGION = "us-east-1";

  private final Invocation inv;

  private Qkms(Invocation inv) {
    this.inv = inv;
  }

  public static void main(String[] args) {
    // A command prints results, not log lines; the server shows its warnings (slf4j-simple).
    boolean serving = CommandTree.SERVE.equals(CommandTree.commandIn(args));
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("qkms.logLevel", serving ? "warn" : "off"));
    // Jetty's parser warns per malformed request and echoes its headers (kilobytes a request, a
    // log flood for anyone who can connect); the server logs a summary of them instead.
    System.setProperty(
        "org.slf4j.simpleLogger.log.org.eclipse.jetty.http.HttpParser",
        System.getProperty("qkms.logLevel", "error"));
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), false, StandardCharsets.UTF_8);
    int status = run(args, System.getenv(), out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs one command line; returns the exit status. Never exits the JVM. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return new Qkms(new Invocation(env, out, err)).run(args);
  }

  private int run(String[] args) {
    CommandLine cl = new CommandLine(CommandTree.rootSpec(CommandTree.commandIn(args)));
    cl.setExpandAtFiles(false); // "@x" is a value, not a file of arguments
    cl.setOut(new PrintWriter(new OutputStreamWriter(inv.out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(inv.err, StandardCharsets.UTF_8), true));
    ParseResult parsed;
    try {
      parsed = cl.parseArgs(args);
    } catch (ParameterException e) {
      return usageError(e.getMessage());
    }
    if (CommandLine.printHelpIfRequested(parsed)) {
      return OK;
    }
    ParseResult sub = parsed.subcommand();
    if (sub == null) {
      return usageError("the following arguments are required: <command>");
    }
    try {
      String command = sub.commandSpec().name();
      return switch (command) {
        case CommandTree.INIT -> StoreCommands.init(inv, sub);
        case CommandTree.SERVE -> Serve.run(inv, sub);
        case CommandTree.TLS_CERT -> TlsCert.run(inv, sub);
        case CommandTree.AUDIT -> audit(sub);
        case CommandTree.CREATE_ACCESS_KEY -> StoreCommands.createAccessKey(inv, sub);
        case CommandTree.LIST_ACCESS_KEYS -> StoreCommands.listAccessKeys(inv, sub);
        case CommandTree.DELETE_ACCESS_KEY -> StoreCommands.deleteAccessKey(inv, sub);
        default -> ApiCommand.run(inv, CommandTable.byCommand(command), sub);
      };
    } catch (UsageException e) {
      return usageError(e.getMessage());
    } catch (KeyStoreOpenException | CommandFailedException e) {
      return failure(e.getMessage(), e);
    } catch (RuntimeException e) {
      return failure(describe(e), e);
    }
  }

  private int audit(ParseResult sub) {
    ParseResult command = sub.subcommand();
    if (command == null) {
      throw new UsageException("qkms audit needs a command: verify or query");
    }
    return command.commandSpec().name().equals(CommandTree.AUDIT_VERIFY)
        ? AuditCommands.verify(inv, command)
        : AuditCommands.query(inv, command);
  }

  private int usageError(String message) {
    inv.err.println("usage: qkms <command> [options]");
    inv.err.println("To see help text, you can run:");
    inv.err.println();
    inv.err.println("  qkms --help");
    inv.err.println("  qkms <command> --help");
    inv.err.println();
    inv.err.println("qkms: error: " + message);
    return USAGE;
  }

  private int failure(String message, RuntimeException e) {
    inv.err.println("qkms: " + message);
    if (inv.env.get(DEBUG_ENV) != null) {
      e.printStackTrace(inv.err);
    }
    return FAILURE;
  }

  private static String describe(RuntimeException e) {
    if (e instanceof UncheckedIOException u) {
      return "I/O error: " + u.getCause().getMessage();
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  static String version() {
    String v = Qkms.class.getPackage().getImplementationVersion();
    return v == null ? "(development build)" : v;
  }
}
