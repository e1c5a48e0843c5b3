package io.qkms.cli;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.KeyCreators;
import io.qkms.engine.api.Principal;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.keys.Region;
import io.qkms.engine.store.file.FileKeyStore;
import io.qkms.http.ApiAudit;
import io.qkms.http.QkmsHttpServer;
import io.qkms.http.TryItOut;
import io.qkms.http.tls.TlsMaterial;
import io.qkms.http.tls.TlsMaterialException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.ParseResult;

/**
 * {@code qkms serve}: the HTTP endpoint over a key store, until SIGTERM or Ctrl-C. Kept apart from
 * {@link Qkms} so that Jetty's classes are loaded only by this command, not by every command line.
 */
final class Serve {
  /** The --audit-dir value that serves without an audit trail. */
  static final String NO_AUDIT = "none";

  private Serve() {}

  /** {@code qkms serve}: reads its options, opens the store and serves until stopped. */
  static int run(Invocation inv, ParseResult sub) {
    String host = Invocation.value(sub, "--host", "127.0.0.1");
    int port;
    try {
      port = Integer.parseInt(Invocation.value(sub, "--port", "8471"));
    } catch (NumberFormatException e) {
      throw new UsageException("Invalid value for --port: expected a number 0..65535");
    }
    if (port < 0 || port > 65535) {
      throw new UsageException("Invalid value for --port: expected a number 0..65535");
    }
    int quota = quota(Invocation.value(sub, "--max-requests-per-second", null));
    QkmsHttpServer.Builder builder =
        QkmsHttpServer.builder()
            .host(host)
            .port(port)
            .maxRequestsPerSecond(quota)
            .maxConnections(
                positive(
                    sub,
                    "--max-connections",
                    QkmsHttpServer.DEFAULT_MAX_CONNECTIONS,
                    "a whole number of connections, at least 1"))
            .maxConnectionsPerAddress(
                positive(
                    sub,
                    "--max-connections-per-address",
                    QkmsHttpServer.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
                    "a whole number of connections, at least 1"))
            .bodyTimeout(
                Duration.ofSeconds(
                    positive(
                        sub,
                        "--body-timeout",
                        (int) QkmsHttpServer.DEFAULT_BODY_TIMEOUT.toSeconds(),
                        "a whole number of seconds, at least 1")));
    boolean plaintextElsewhere = tls(builder, sub, host);
    String accessLog = Invocation.value(sub, "--access-log", "-");
    Boolean console = sub.matchedOptionValue("--console", null);
    int keysPerRegion =
        positive(
            sub,
            "--max-keys-per-region",
            KmsEngine.DEFAULT_KEYS_PER_REGION,
            "a whole number of keys, at least 1");
    KeyCreators creators = keyCreators(Invocation.value(sub, "--key-creators", null));
    ApiAudit.Failure auditFailure =
        CliAudit.refuses(sub) ? ApiAudit.Failure.REFUSE : ApiAudit.Failure.LOG;
    String auditDir = Invocation.value(sub, "--audit-dir", null);
    boolean audited = !NO_AUDIT.equals(auditDir);
    FileKeyStore store = inv.openStore(sub);
    try {
      if (audited) {
        byte[] auditKey = store.auditDigestKey();
        try {
          builder.audit(
              AuditTrail.open(
                  auditDir != null ? Path.of(auditDir) : store.directory().resolve("audit"),
                  auditKey,
                  Clock.systemUTC(),
                  AuditTrail.DEFAULT_MAX_FILE_BYTES),
              auditFailure);
        } finally {
          Arrays.fill(auditKey, (byte) 0);
        }
      } else {
        inv.err.println(
            "qkms: warning: serving without an audit trail (--audit-dir none): API calls are not"
                + " recorded");
      }
      if (plaintextElsewhere) {
        inv.err.println(
            "qkms: warning: serving plain HTTP on "
                + host
                + " (--allow-plaintext): requests, signatures and data cross the network"
                + " unencrypted; use --tls-cert and --tls-key");
      }
      return serve(
          KmsEngine.builder().keyStore(store).keysPerRegion(keysPerRegion).keyCreators(creators),
          store,
          host,
          builder,
          quota,
          accessLog.equals("none") ? null : accessLog,
          console,
          inv.out,
          inv.err);
    } catch (IOException e) {
      store.close();
      throw new CommandFailedException(
          "cannot serve on " + host + ":" + port + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Qkms.OK;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    } catch (Exception e) {
      store.close();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Serves until the JVM is asked to stop; then the server stops gracefully (requests in flight
   * finish), and only then the engine and the store are closed.
   *
   * @param accessLog a file to append the access log to, "-" for stdout, or null for none
   * @param console whether to serve the Try It Out console; null: only on a loopback address
   */
  private static int serve(
      KmsEngine.Builder engineBuilder,
      FileKeyStore store,
      String host,
      QkmsHttpServer.Builder builder,
      int quota,
      String accessLog,
      Boolean console,
      PrintStream out,
      PrintStream err)
      throws Exception {
    KmsEngine engine = engineBuilder.build();
    PrintStream log = accessLogStream(accessLog, out);
    boolean tryItOut = console != null ? console : TryItOut.onByDefault(host);
    builder.engine(engine).tryItOut(tryItOut);
    if (log != null) {
      builder.accessLog(log::println, log::flush);
    }
    QkmsHttpServer server = builder.build();
    try {
      server.start();
    } catch (Exception e) {
      engine.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.stop();
                  } catch (Exception e) {
                    err.println("qkms: stopping the server: " + e);
                  } finally {
                    engine.close();
                    store.close();
                    err.println("qkms: stopped");
                    err.flush();
                  }
                },
                "qkms-shutdown"));
    err.println(
        "qkms: serving "
            + server.endpoint()
            + " (key store "
            + store.directory().toAbsolutePath().normalize()
            + "; regions "
            + engine.regions().stream().map(Region::name).collect(Collectors.joining(", "))
            + (quota > 0 ? "; at most " + quota + " requests/s per region" : "")
            + "); SIGTERM or Ctrl-C stops it");
    if (tryItOut) {
      err.println(
          "qkms: Try It Out console at "
              + server.endpoint().resolve(TryItOut.PATH)
              + " (--no-console turns it off)");
    }
    err.flush();
    server.join();
    return Qkms.OK;
  }

  /**
   * --tls-cert and --tls-key (both or neither): HTTPS only. Without them, an address other than
   * loopback needs --allow-plaintext.
   *
   * @return whether plain HTTP is served beyond this machine (allowed)
   */
  private static boolean tls(QkmsHttpServer.Builder builder, ParseResult sub, String host) {
    String cert = Invocation.value(sub, "--tls-cert", null);
    String key = Invocation.value(sub, "--tls-key", null);
    boolean allowPlaintext = Boolean.TRUE.equals(sub.matchedOptionValue("--allow-plaintext", null));
    if ((cert == null) != (key == null)) {
      throw new UsageException("--tls-cert and --tls-key go together: give both, or neither");
    }
    if (cert != null) {
      if (allowPlaintext) {
        throw new UsageException("--allow-plaintext is for serving without --tls-cert");
      }
      try {
        builder.tls(TlsMaterial.readPem(Path.of(cert), Path.of(key), Instant.now()));
      } catch (TlsMaterialException e) {
        throw new CommandFailedException(e.getMessage(), e);
      }
      return false;
    }
    if (isLoopback(host)) {
      return false;
    }
    if (!allowPlaintext) {
      throw new UsageException(
          "--host "
              + host
              + " is reachable from other machines: serve it with --tls-cert and --tls-key (qkms"
              + " tls-cert makes a self-signed pair), or give --allow-plaintext to serve plain"
              + " HTTP anyway");
    }
    return true;
  }

  /** Whether {@code host} is this machine only (a literal or a name; 0.0.0.0 is not). */
  private static boolean isLoopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false; // binding will fail and say so
    }
  }

  /** --max-requests-per-second: a positive integer; absent is 0, unlimited. */
  static int quota(String value) {
    return value == null
        ? 0
        : positive(
            "--max-requests-per-second",
            value,
            "a whole number of requests per second, at least 1");
  }

  /** An option that is a positive integer, or {@code absent} if not given. */
  /** --key-creators: absent, the root only; 'any'; or a comma-separated list of principal ARNs. */
  static KeyCreators keyCreators(String value) {
    if (value == null) {
      return KeyCreators.accountRoot();
    }
    if (value.strip().equals("any")) {
      return KeyCreators.anyPrincipal();
    }
    List<Principal> named = new ArrayList<>();
    for (String arn : value.split(",", -1)) {
      Principal p = Principal.tryParse(arn.strip());
      if (p == null) {
        throw new UsageException(
            "Invalid value for --key-creators: '"
                + arn.strip()
                + "' is not a principal ARN (arn:verenc:<account>:root, :user/<name> or"
                + " :role/<name>); or give 'any'");
      }
      named.add(p);
    }
    return KeyCreators.of(named);
  }

  private static int positive(ParseResult sub, String option, int absent, String expected) {
    String value = Invocation.value(sub, option, null);
    return value == null ? absent : positive(option, value, expected);
  }

  private static int positive(String option, String value, String expected) {
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "Invalid value for " + option + ": '" + value + "' (" + expected + ")");
  }

  /** Where the access log goes: stdout ("-"), a file (appended to), or nowhere (null). */
  private static PrintStream accessLogStream(String accessLog, PrintStream out) throws IOException {
    if (accessLog == null) {
      return null;
    }
    if (accessLog.equals("-")) {
      return new PrintStream(new BufferedOutputStream(out, 1 << 16), false, StandardCharsets.UTF_8);
    }
    OutputStream file =
        Files.newOutputStream(
            Path.of(accessLog), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new PrintStream(new BufferedOutputStream(file, 1 << 16), false, StandardCharsets.UTF_8);
  }
}
