package io.qkms.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator for {@code qkms serve}: N clients, each on its own keep-alive connection, send
 * signed ReEncrypt requests back to back (or at a fixed total rate with {@code --rate}), and the
 * tool reports requests per second and latency percentiles. Latency is measured from when a request
 * was due, so a server that falls behind a fixed rate is not flattered (no coordinated omission).
 *
 * <p>The client is a minimal HTTP/1.1 client over plain sockets, so that the load generator, which
 * shares the machine's cores with the server, spends as little CPU as it can. Each client signs its
 * request once and re-signs it every minute (a signature is good for five).
 *
 * <pre>
 * scripts/qkms init --keystore /tmp/ks
 * scripts/qkms serve --keystore /tmp/ks --access-log none &amp;
 * scripts/http-load --credentials /tmp/ks/credentials --clients 16 --seconds 20
 * </pre>
 */
public final class ReEncryptLoad {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final String accessKeyId;
  private final String secret;
  private final String region;

  private ReEncryptLoad(URI endpoint, String accessKeyId, String secret, String region) {
    this.endpoint = endpoint;
    this.accessKeyId = accessKeyId;
    this.secret = secret;
    this.region = region;
  }

  public static void main(String[] args) throws Exception {
    try {
      start(args);
    } catch (IllegalArgumentException | IOException e) {
      // A usage mistake or an unreadable credentials file: say which, without a stack trace.
      System.err.println(
          "http-load: "
              + (e instanceof NoSuchFileException
                  ? "no such file: " + e.getMessage()
                  : e.getMessage()));
      System.exit(2);
    }
  }

  private static void start(String[] args) throws Exception {
    Map<String, String> o = options(args);
    URI endpoint = URI.create(o.getOrDefault("--endpoint", "http://127.0.0.1:8471"));
    String[] credentials =
        credentials(
            Path.of(
                o.getOrDefault(
                    "--credentials",
                    System.getenv().getOrDefault("AWS_SHARED_CREDENTIALS_FILE", "credentials"))),
            o.getOrDefault("--profile", "qkms"));
    int clients = Integer.parseInt(o.getOrDefault("--clients", "16"));
    int seconds = Integer.parseInt(o.getOrDefault("--seconds", "10"));
    int warmup = Integer.parseInt(o.getOrDefault("--warmup", "5"));
    double rate = Double.parseDouble(o.getOrDefault("--rate", "0"));
    ReEncryptLoad load =
        new ReEncryptLoad(
            endpoint, credentials[0], credentials[1], o.getOrDefault("--region", "us-east-1"));
    load.run(clients, seconds, warmup, rate);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Expected an option, got " + args[i]);
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      o.put(args[i], args[i + 1]);
    }
    return o;
  }

  /** The access key ID and secret of a profile in an AWS shared credentials file. */
  static String[] credentials(Path file, String profile) throws IOException {
    String id = null;
    String secret = null;
    boolean in = false;
    for (String line : Files.readAllLines(file)) {
      String l = line.strip();
      if (l.startsWith("[")) {
        in = l.equals("[" + profile + "]");
      } else if (in && l.contains("=")) {
        String k = l.substring(0, l.indexOf('=')).strip();
        String v = l.substring(l.indexOf('=') + 1).strip();
        if (k.equals("aws_access_key_id")) {
          id = v;
        } else if (k.equals("aws_secret_access_key")) {
          secret = v;
        }
      }
    }
    if (id == null || secret == null) {
      throw new IllegalArgumentException("No profile " + profile + " with keys in " + file);
    }
    return new String[] {id, secret};
  }

  private void run(int clients, int seconds, int warmup, double rate) throws Exception {
    String blob;
    String destination;
    try (Connection c = new Connection()) {
      String source =
          c.call("CreateKey", "{\"Description\":\"load source\"}")
              .get("KeyMetadata")
              .get("KeyId")
              .asText();
      destination =
          c.call("CreateKey", "{\"Description\":\"load destination\"}")
              .get("KeyMetadata")
              .get("KeyId")
              .asText();
      blob =
          c.call(
                  "Encrypt",
                  "{\"KeyId\":\""
                      + source
                      + "\",\"Plaintext\":\""
                      + Base64.getEncoder().encodeToString(new byte[64])
                      + "\",\"EncryptionContext\":{\"Department\":\"Finance\"}}")
              .get("CiphertextBlob")
              .asText();
    }
    byte[] body =
        ("{\"CiphertextBlob\":\""
                + blob
                + "\",\"SourceEncryptionContext\":{\"Department\":\"Finance\"},"
                + "\"DestinationKeyId\":\""
                + destination
                + "\",\"DestinationEncryptionContext\":{\"Department\":\"Finance\"}}")
            .getBytes(StandardCharsets.UTF_8);

    long start = System.nanoTime();
    long measureFrom = start + warmup * 1_000_000_000L;
    long end = measureFrom + seconds * 1_000_000_000L;
    long intervalNanos = rate > 0 ? (long) (clients * 1e9 / rate) : 0;
    AtomicLong errors = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    List<long[]> services = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    int[] counts = new int[clients];
    for (int i = 0; i < clients; i++) {
      long[] mine = new long[1 << 20];
      long[] service = new long[1 << 20];
      latencies.add(mine);
      services.add(service);
      int index = i;
      long offset = intervalNanos * i / clients; // spread the clients' schedules
      Thread t =
          new Thread(
              () -> {
                try (Connection c = new Connection()) {
                  byte[] request = null;
                  long signedAt = 0;
                  long due = start + offset;
                  int n = 0;
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
                    if (request == null || now - signedAt > 60_000_000_000L) {
                      request = c.request("ReEncrypt", body);
                      signedAt = now;
                    }
                    long sent = System.nanoTime();
                    int status = c.send(request);
                    long done = System.nanoTime();
                    if (status != 200) {
                      errors.incrementAndGet();
                    }
                    if (due >= measureFrom && n < mine.length) {
                      service[n] = done - sent;
                      mine[n++] = done - due;
                    }
                    due += intervalNanos;
                  }
                  counts[index] = n;
                } catch (IOException e) {
                  errors.incrementAndGet();
                  System.err.println("client " + index + ": " + e);
                }
              },
              "load-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    int total = Arrays.stream(counts).sum();
    long[] all = merged(latencies, counts, total);
    long[] serviceTimes = merged(services, counts, total);
    System.out.printf(
        "ReEncrypt over %d keep-alive connections%s, %d s measured after %d s warm-up%n",
        clients,
        rate > 0 ? String.format(" at %.0f req/s offered", rate) : " (closed loop)",
        seconds,
        warmup);
    System.out.printf(
        "requests %d, errors %d, throughput %.0f req/s%n",
        total, errors.get(), total / (double) seconds);
    System.out.printf(
        "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
        pct(all, 0.50),
        pct(all, 0.90),
        pct(all, 0.99),
        pct(all, 0.999),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6);
    if (rate > 0) {
      // Without the time a request waited for its client to be free (send to response only).
      System.out.printf(
          "service ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
          pct(serviceTimes, 0.50),
          pct(serviceTimes, 0.90),
          pct(serviceTimes, 0.99),
          pct(serviceTimes, 0.999),
          serviceTimes.length == 0 ? 0 : serviceTimes[serviceTimes.length - 1] / 1e6);
    }
  }

  private static long[] merged(List<long[]> parts, int[] counts, int total) {
    long[] all = new long[total];
    int k = 0;
    for (int i = 0; i < counts.length; i++) {
      System.arraycopy(parts.get(i), 0, all, k, counts[i]);
      k += counts[i];
    }
    Arrays.sort(all);
    return all;
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** One keep-alive connection and a minimal HTTP/1.1 exchange over it. */
  private final class Connection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private byte[] last = new byte[0];
    private int lastLength;

    Connection() throws IOException {
      socket = new Socket(endpoint.getHost(), endpoint.getPort());
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** The bytes of a signed POST / with this body, signed now. */
    byte[] request(String operation, byte[] body) {
      String host = endpoint.getHost() + ":" + endpoint.getPort();
      Map<String, String> headers =
          TestSigner.sign(
              "POST",
              host,
              "/",
              Map.of(
                  "Content-Type",
                  "application/x-amz-json-1.1",
                  "X-Amz-Target",
                  "TrentService." + operation),
              body,
              accessKeyId,
              secret,
              region,
              "kms",
              Instant.now());
      StringBuilder b = new StringBuilder("POST / HTTP/1.1\r\nHost: ").append(host).append("\r\n");
      headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
      b.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] all = Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, all, head.length, body.length);
      return all;
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

    JsonNode call(String operation, String json) throws IOException {
      int status = send(request(operation, json.getBytes(StandardCharsets.UTF_8)));
      String body = new String(last, 0, lastLength, StandardCharsets.UTF_8);
      if (status != 200) {
        throw new IOException(operation + " failed: " + status + " " + body);
      }
      return JSON.readTree(body);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
