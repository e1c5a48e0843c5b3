package io.qkms.cli;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.engine.store.file.KeyFileAccess;
import io.qkms.engine.store.file.RootKeySource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ParseResult;

/**
 * One run of the command line: its environment and output streams, and the options every command
 * reads the same way (the key store and its root key, the output format, a region, a principal).
 */
final class Invocation {
  static final String KEYSTORE_ENV = "QKMS_KEYSTORE";

  final Map<String, String> env;
  final PrintStream out;
  final PrintStream err;

  Invocation(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  /** Prints a result on stdout, unless there is none. */
  void print(String text) {
    if (!text.isEmpty()) {
      out.println(text);
    }
  }

  /** --keystore, else $QKMS_KEYSTORE. */
  Path keystore(ParseResult sub) {
    String dir = value(sub, "--keystore", env.get(KEYSTORE_ENV));
    if (dir == null || dir.isBlank()) {
      throw new UsageException(
          "the following arguments are required: --keystore (or set " + KEYSTORE_ENV + ")");
    }
    return Path.of(dir);
  }

  /** --root-key-file, else the environment's choice ({@link RootKeySource#fromEnvironment}). */
  RootKeySource rootKeySource(ParseResult sub, Path dir) {
    String file = value(sub, "--root-key-file", null);
    return file != null
        ? new RootKeySource.KeyFile(Path.of(file))
        : RootKeySource.fromEnvironment(dir, env);
  }

  /** Opens the key store for reading and writing; a passphrase is wiped once it is used. */
  FileKeyStore openStore(ParseResult sub) {
    Path dir = keystore(sub);
    RootKeySource source = rootKeySource(sub, dir);
    try {
      checkKeyFileAccess(sub, dir, source);
      return FileKeyStore.open(dir, source, FileKeyStore.Mode.READ_WRITE);
    } finally {
      wipe(source);
    }
  }

  /**
   * Refuses a root key file or store file that group or others may read or write, unless {@code
   * --allow-exposed-key-files} is given; then warns on stderr.
   */
  void checkKeyFileAccess(ParseResult sub, Path dir, RootKeySource source) {
    List<String> exposed;
    try {
      exposed = KeyFileAccess.exposed(dir, source);
    } catch (IOException e) {
      throw new CommandFailedException("Cannot read the permissions of the key store files: " + e);
    }
    if (exposed.isEmpty()) {
      return;
    }
    String files = String.join(", ", exposed);
    if (sub.hasMatchedOption(CommandTree.ALLOW_EXPOSED_KEY_FILES)) {
      err.println(
          "qkms: warning: group or others may read or write "
              + files
              + "; using it because of "
              + CommandTree.ALLOW_EXPOSED_KEY_FILES);
      return;
    }
    throw new CommandFailedException(
        "Refusing key files that group or others may read or write: "
            + files
            + " (chmod 600 them and check who else had access, or pass "
            + CommandTree.ALLOW_EXPOSED_KEY_FILES
            + ")");
  }

  static void wipe(RootKeySource source) {
    if (source instanceof RootKeySource.Passphrase p) {
      p.wipe();
    }
  }

  static Output output(ParseResult sub) {
    return new Output(
        Output.Format.parse(value(sub, "--output", "json")), value(sub, "--query", null));
  }

  /** --region, or null. */
  static Region optionalRegion(ParseResult sub) {
    String r = value(sub, "--region", null);
    return r == null ? null : region(r);
  }

  static Region region(String name) {
    if (!Region.isValid(name)) {
      throw new UsageException(
          "Invalid value for --region: '" + name + "' (a region looks like us-east-1)");
    }
    return Region.of(name);
  }

  /** A --principal value. */
  static Principal principal(String arn) {
    Principal p = Principal.tryParse(arn);
    if (p == null) {
      throw new UsageException(
          "Invalid value for --principal: expected arn:verenc:<account>:root,"
              + " arn:verenc:<account>:user/<name> or arn:verenc:<account>:role/<name>");
    }
    return p;
  }

  static String value(ParseResult sub, String option, String fallback) {
    return sub.matchedOptionValue(option, fallback);
  }
}
