package io.qkms.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.conscrypt.Conscrypt;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * The load generator of {@code scripts/http-load} and of the bench's HTTP part: N clients, each on
 * its own keep-alive connection, send signed ReEncrypt requests to a running {@code qkms serve}
 * back to back (or at a fixed total rate with {@code --rate}), and the tool reports requests per
 * second and latency percentiles. Latency is measured from when a request was due, so a server that
 * falls behind a fixed rate is not flattered (no coordinated omission).
 *
 * <p>Only 200 replies count as throughput and latency; other replies and I/O errors are counted as
 * errors, a client that hits an I/O error reconnects and goes on, and what it did before counts.
 * Any error makes the exit code 1. The HTTP client is a minimal HTTP/1.1 one over plain sockets, so
 * that the generator, which shares the machine's cores with the server, spends as little CPU as it
 * can; requests are signed with the AWS SDK's SigV4 signer, once a minute per client (a signature
 * is good for five).
 *
 * <p>{@code --lines} prints {@code name value} lines instead of the report (for the bench driver).
 */
public final class HttpLoad {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SECOND = 1_000_000_000L;

  static final String USAGE =
      """
      Usage: scripts/http-load --credentials FILE [--endpoint http://127.0.0.1:8471]
          [--profile qkms] [--region us-east-1] [--clients 16] [--seconds 10] [--warmup 5]
          [--rate REQUESTS_PER_SECOND] [--ca-bundle PEM] [--tls conscrypt|jdk] [--lines]

      An https:// endpoint is trusted through --ca-bundle (its certificate, PEM). --tls says whose
      TLS the clients use: Conscrypt's (BoringSSL, the default; native, as the AWS CLI's OpenSSL)
      or the JDK's SSLSocket, which costs the shared cores about twice the CPU per request.""";

  private final URI endpoint;
  private final AwsCredentialsIdentity identity;
  private final String region;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final SSLSocketFactory tls; // null: plain HTTP

  private HttpLoad(
      URI endpoint, AwsCredentialsIdentity identity, String region, SSLSocketFactory tls) {
    this.endpoint = endpoint;
    this.identity = identity;
    this.region = region;
    this.tls = tls;
  }

  /** Whose TLS the clients use (--tls). */
  enum Tls {
    CONSCRYPT,
    JDK;

    static Tls of(String name) {
      return switch (name) {
        case "conscrypt" -> CONSCRYPT;
        case "jdk" -> JDK;
        default -> throw new IllegalArgumentException("--tls " + name + ": give conscrypt or jdk");
      };
    }

    SSLContext context() throws GeneralSecurityException, IOException {
      if (this == JDK) {
        return SSLContext.getInstance("TLS");
      }
      Provider conscrypt;
      try {
        conscrypt = Conscrypt.newProvider();
      } catch (LinkageError | RuntimeException e) {
        throw new IOException(
            "--tls conscrypt: Conscrypt does not load here ("
                + e
                + "); give --tls jdk for the JDK's TLS",
            e);
      }
      return SSLContext.getInstance("TLS", conscrypt);
    }
  }

  /** Sockets of {@code tls} that trust the certificates of a PEM file, and nothing else. */
  static SSLSocketFactory trusting(Path pem, Tls tls) throws IOException {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("--ca-bundle " + pem + " holds no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = tls.context();
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException("--ca-bundle " + pem + ": " + e.getMessage(), e);
    }
  }

  /** What a run measured. */
  record Result(
      int clients,
      int seconds,
      double rate,
      long ok,
      long statusErrors,
      long ioErrors,
      long[] latencies,
      long[] serviceTimes) {
    long errors() {
      return statusErrors + ioErrors;
    }

    double requestsPerSecond() {
      return ok / (double) seconds;
    }
  }

  public static void main(String[] args) {
    int code;
    try {
      code = run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("http-load: " + e.getMessage());
      code = 2;
    } catch (NoSuchFileException e) {
      System.err.println("http-load: no such file: " + e.getFile());
      code = 2;
    } catch (IOException e) {
      System.err.println("http-load: " + e.getMessage());
      code = 1;
    }
    System.exit(code);
  }

  static int run(String[] args, PrintStream out) throws IOException {
    Map<String, String> o = options(args);
    if (o.containsKey("--help")) {
      out.println(USAGE);
      return 0;
    }
    URI endpoint = URI.create(o.getOrDefault("--endpoint", "http://127.0.0.1:8471"));
    String file =
        o.getOrDefault(
            "--credentials", System.getenv().getOrDefault("AWS_SHARED_CREDENTIALS_FILE", ""));
    if (file.isEmpty()) {
      throw new IllegalArgumentException("--credentials FILE is required (qkms init writes one)");
    }
    boolean https = "https".equals(endpoint.getScheme());
    if (https != o.containsKey("--ca-bundle")) {
      throw new IllegalArgumentException(
          "an https:// endpoint needs --ca-bundle, and --ca-bundle an https:// endpoint");
    }
    if (!https && o.containsKey("--tls")) {
      throw new IllegalArgumentException("--tls applies to an https:// endpoint");
    }
    Tls tls = Tls.of(o.getOrDefault("--tls", "conscrypt"));
    HttpLoad load =
        new HttpLoad(
            endpoint,
            credentials(Path.of(file), o.getOrDefault("--profile", "qkms")),
            o.getOrDefault("--region", "us-east-1"),
            https ? trusting(Path.of(o.get("--ca-bundle")), tls) : null);
    int clients = positive(o, "--clients", "16");
    int seconds = positive(o, "--seconds", "10");
    int warmup = number(o, "--warmup", "5");
    double rate = Double.parseDouble(o.getOrDefault("--rate", "0"));
    Result r = load.run(clients, seconds, warmup, rate);
    if (o.containsKey("--lines")) {
      printLines(r, out);
    } else {
      printReport(r, warmup, out);
    }
    if (r.errors() > 0) {
      System.err.printf(
          "http-load: %d errors (%d replies other than 200, %d I/O errors)%n",
          r.errors(), r.statusErrors(), r.ioErrors());
      return 1;
    }
    return 0;
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--lines") || a.equals("--help") || a.equals("-h")) {
        o.put(a.equals("-h") ? "--help" : a, "");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("expected an option, got '" + a + "'");
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        o.put(a.substring(0, eq), a.substring(eq + 1));
      } else if (i + 1 < args.length) {
        o.put(a, args[++i]);
      } else {
        throw new IllegalArgumentException(a + " needs a value");
      }
    }
    for (String k : o.keySet()) {
      if (!List.of(
              "--endpoint",
              "--credentials",
              "--profile",
              "--region",
              "--clients",
              "--seconds",
              "--warmup",
              "--rate",
              "--ca-bundle",
              "--tls",
              "--lines",
              "--help")
          .contains(k)) {
        throw new IllegalArgumentException("unknown option " + k);
      }
    }
    return o;
  }

  private static int number(Map<String, String> o, String name, String otherwise) {
    String v = o.getOrDefault(name, otherwise);
    try {
      int n = Integer.parseInt(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException(name + " needs a whole number, not '" + v + "'");
  }

  private static int positive(Map<String, String> o, String name, String otherwise) {
    int n = number(o, name, otherwise);
    if (n < 1) {
      throw new IllegalArgumentException(name + " must be at least 1");
    }
    return n;
  }

  /** The access key of a profile in an AWS shared credentials file (the SDK's parser). */
  static AwsCredentialsIdentity credentials(Path file, String profile) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString());
    }
    Profile p =
        ProfileFile.builder()
            .content(file)
            .type(ProfileFile.Type.CREDENTIALS)
            .build()
            .profile(profile)
            .orElseThrow(
                () -> new IllegalArgumentException("no profile " + profile + " in " + file));
    String id = p.property("aws_access_key_id").orElse(null);
    String secret = p.property("aws_secret_access_key").orElse(null);
    if (id == null || secret == null) {
      throw new IllegalArgumentException("profile " + profile + " in " + file + " has no keys");
    }
    return AwsCredentialsIdentity.create(id, secret);
  }

  private Result run(int clients, int seconds, int warmup, double rate) throws IOException {
    byte[] body = reEncryptRequest();
    long start = System.nanoTime();
    long measureFrom = start + warmup * SECOND;
    long end = measureFrom + seconds * SECOND;
    long intervalNanos = rate > 0 ? (long) (clients * 1e9 / rate) : 0;
    AtomicLong statusErrors = new AtomicLong();
    AtomicLong ioErrors = new AtomicLong();
    List<Client> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      long offset = intervalNanos * i / clients; // spread the clients' schedules
      Client c =
          new Client(
              i, body, start + offset, measureFrom, end, intervalNanos, statusErrors, ioErrors);
      all.add(c);
      c.thread.start();
    }
    for (Client c : all) {
      try {
        c.thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
    long[] latencies = merged(all, false);
    long[] services = merged(all, true);
    return new Result(
        clients,
        seconds,
        rate,
        latencies.length,
        statusErrors.get(),
        ioErrors.get(),
        latencies,
        services);
  }

  /** A ReEncrypt request body: two keys and a 64-byte blob made through the endpoint itself. */
  private byte[] reEncryptRequest() throws IOException {
    try (Connection c = new Connection()) {
      String source = c.call("CreateKey", "{\"Description\":\"load source\"}");
      String destination = c.call("CreateKey", "{\"Description\":\"load destination\"}");
      String sourceId = JSON.readTree(source).get("KeyMetadata").get("KeyId").asText();
      String destinationId = JSON.readTree(destination).get("KeyMetadata").get("KeyId").asText();
      JsonNode encrypted =
          JSON.readTree(
              c.call(
                  "Encrypt",
                  "{\"KeyId\":\""
                      + sourceId
                      + "\",\"Plaintext\":\""
                      + Base64.getEncoder().encodeToString(new byte[64])
                      + "\",\"EncryptionContext\":{\"Department\":\"Finance\"}}"));
      return ("{\"CiphertextBlob\":\""
              + encrypted.get("CiphertextBlob").asText()
              + "\",\"SourceEncryptionContext\":{\"Department\":\"Finance\"},"
              + "\"DestinationKeyId\":\""
              + destinationId
              + "\",\"DestinationEncryptionContext\":{\"Department\":\"Finance\"}}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** One client: its thread, and the latencies of its 200 replies in the measured window. */
  private final class Client {
    final Thread thread;
    final long[] latencies = new long[1 << 20];
    final long[] services = new long[1 << 20];
    int n;

    Client(
        int index,
        byte[] body,
        long firstDue,
        long measureFrom,
        long end,
        long intervalNanos,
        AtomicLong statusErrors,
        AtomicLong ioErrors) {
      thread =
          new Thread(
              () ->
                  loop(
                      index,
                      body,
                      firstDue,
                      measureFrom,
                      end,
                      intervalNanos,
                      statusErrors,
                      ioErrors),
              "load-" + index);
    }

    private void loop(
        int index,
        byte[] body,
        long firstDue,
        long measureFrom,
        long end,
        long intervalNanos,
        AtomicLong statusErrors,
        AtomicLong ioErrors) {
      long due = firstDue;
      Connection c = null;
      byte[] request = null;
      long signedAt = 0;
      while (true) {
        long now = System.nanoTime();
        if (now >= end) {
          break;
        }
        if (intervalNanos > 0) {
          if (due > now) {
            LockSupport.parkNanos(due - now);
          }
        } else {
          due = now;
        }
        try {
          if (c == null) {
            c = new Connection();
          }
          if (request == null || now - signedAt > 60 * SECOND) {
            request = c.request("ReEncrypt", body);
            signedAt = now;
          }
          long sent = System.nanoTime();
          int status = c.send(request);
          long done = System.nanoTime();
          if (status != 200) {
            statusErrors.incrementAndGet();
          } else if (due >= measureFrom && n < latencies.length) {
            services[n] = done - sent;
            latencies[n++] = done - due;
          }
        } catch (IOException e) {
          ioErrors.incrementAndGet();
          if (ioErrors.get() <= 10) {
            System.err.println("http-load: client " + index + ": " + e.getMessage());
          }
          close(c);
          c = null;
          LockSupport.parkNanos(SECOND / 20); // a server that refuses is not hammered
        }
        due += intervalNanos;
      }
      close(c);
    }

    private void close(Connection c) {
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          // Closing a broken connection.
        }
      }
    }
  }

  private static long[] merged(List<Client> clients, boolean service) {
    long[] all = new long[clients.stream().mapToInt(c -> c.n).sum()];
    int k = 0;
    for (Client c : clients) {
      System.arraycopy(service ? c.services : c.latencies, 0, all, k, c.n);
      k += c.n;
    }
    Arrays.sort(all);
    return all;
  }

  static double percentileMillis(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static void printReport(Result r, int warmup, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "ReEncrypt over %d keep-alive connections%s, %d s measured after %d s warm-up%n",
        r.clients(),
        r.rate() > 0
            ? String.format(Locale.ROOT, " at %.0f req/s offered", r.rate())
            : " (closed loop)",
        r.seconds(),
        warmup);
    out.printf(
        Locale.ROOT,
        "requests %d answered 200, errors %d (%d other replies, %d I/O), throughput %.0f req/s%n",
        r.ok(),
        r.errors(),
        r.statusErrors(),
        r.ioErrors(),
        r.requestsPerSecond());
    out.println("latency ms: " + percentiles(r.latencies()));
    if (r.rate() > 0) {
      // Without the time a request waited for its client to be free (send to response only).
      out.println("service ms: " + percentiles(r.serviceTimes()));
    }
  }

  private static String percentiles(long[] sorted) {
    return String.format(
        Locale.ROOT,
        "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
        percentileMillis(sorted, 0.50),
        percentileMillis(sorted, 0.90),
        percentileMillis(sorted, 0.99),
        percentileMillis(sorted, 0.999),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
  }

  private static void printLines(Result r, PrintStream out) {
    Map<String, Double> m = new java.util.LinkedHashMap<>();
    m.put("requests_ok", (double) r.ok());
    m.put("errors", (double) r.errors());
    m.put("req_per_s", r.requestsPerSecond());
    m.put("p50_ms", percentileMillis(r.latencies(), 0.50));
    m.put("p90_ms", percentileMillis(r.latencies(), 0.90));
    m.put("p99_ms", percentileMillis(r.latencies(), 0.99));
    if (r.rate() > 0) {
      m.put("service_p50_ms", percentileMillis(r.serviceTimes(), 0.50));
      m.put("service_p99_ms", percentileMillis(r.serviceTimes(), 0.99));
    }
    m.forEach((k, v) -> out.printf(Locale.ROOT, "%s %.4f%n", k, v));
  }

  /** One keep-alive connection and a minimal HTTP/1.1 exchange over it. */
  private final class Connection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private byte[] last = new byte[0];
    private int lastLength;

    Connection() throws IOException {
      if (tls == null) {
        socket = new Socket(endpoint.getHost(), endpoint.getPort());
      } else {
        SSLSocket s = (SSLSocket) tls.createSocket(endpoint.getHost(), endpoint.getPort());
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
        s.setSSLParameters(p);
        s.startHandshake();
        socket = s;
      }
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** The bytes of a POST / with this body, signed now. */
    byte[] request(String operation, byte[] body) {
      SdkHttpRequest unsigned =
          SdkHttpRequest.builder()
              .method(SdkHttpMethod.POST)
              .uri(URI.create(endpoint.getScheme() + "://" + hostAndPort() + "/"))
              .putHeader("Content-Type", "application/x-amz-json-1.1")
              .putHeader("X-Amz-Target", "TrentService." + operation)
              .build();
      SignedRequest signed =
          signer.sign(
              r ->
                  r.identity(identity)
                      .request(unsigned)
                      .payload(ContentStreamProvider.fromByteArray(body))
                      .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
                      .putProperty(AwsV4HttpSigner.REGION_NAME, region));
      StringBuilder b = new StringBuilder("POST / HTTP/1.1\r\n");
      if (signed.request().firstMatchingHeader("Host").isEmpty()) {
        b.append("Host: ").append(hostAndPort()).append("\r\n");
      }
      signed
          .request()
          .forEachHeader(
              (k, values) ->
                  values.forEach(v -> b.append(k).append(": ").append(v).append("\r\n")));
      b.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] all = Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, all, head.length, body.length);
      return all;
    }

    private String hostAndPort() {
      return endpoint.getHost() + ":" + endpoint.getPort();
    }

    /** Sends a request, reads the response, returns its status (the body stays in {@code last}). */
    int send(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      int status = -1;
      int length = 0;
      StringBuilder line = new StringBuilder(64);
      boolean first = true;
      while (true) {
        line.setLength(0);
        int c;
        while ((c = in.read()) != '\n') {
          if (c < 0) {
            throw new IOException("connection closed");
          }
          if (c != '\r') {
            line.append((char) c);
          }
        }
        if (line.length() == 0) {
          break;
        }
        if (first) {
          status = Integer.parseInt(line.substring(9, 12));
          first = false;
        } else if (line.length() > 15
            && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      if (last.length < length) {
        last = new byte[length];
      }
      int read = in.readNBytes(last, 0, length);
      if (read < length) {
        throw new IOException("short body");
      }
      lastLength = length;
      return status;
    }

    /** A call whose reply must be 200: its body. */
    String call(String operation, String json) throws IOException {
      int status = send(request(operation, json.getBytes(StandardCharsets.UTF_8)));
      String body = new String(last, 0, lastLength, StandardCharsets.UTF_8);
      if (status != 200) {
        throw new IOException(operation + " failed: " + status + " " + body);
      }
      return body;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
