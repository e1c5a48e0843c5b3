package io.qkms.http;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.audit.AuditTrail;
import io.qkms.engine.keys.Region;
import io.qkms.engine.wire.Dispatcher;
import io.qkms.http.credentials.CredentialTable;
import io.qkms.http.sigv4.SigV4Verifier;
import io.qkms.http.tls.TlsMaterial;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QKMS HTTP endpoint: every engine operation at {@code POST /} as AWS KMS's JSON 1.1 API
 * ({@code X-Amz-Target: TrentService.<Operation>}, {@code Content-Type:
 * application/x-amz-json-1.1}), authenticated with AWS Signature Version 4 against the key store's
 * access keys, on Jetty 12 (HTTP/1.1, keep-alive, concurrent requests).
 *
 * <pre>{@code
 * try (QkmsHttpServer server = QkmsHttpServer.builder().engine(engine).port(8471).build()
 *     .start()) {
 *   server.join();
 * }
 * }</pre>
 *
 * <p>{@link #stop()} is graceful: the server stops accepting connections, answers new requests on
 * open connections with 503, and lets the requests in flight finish (at most the stop timeout). The
 * engine and the key store are the caller's: close them after the server has stopped.
 */
public final class QkmsHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QkmsHttpServer.class);

  /** The port {@code qkms serve} listens on by default. */
  public static final int DEFAULT_PORT = 8471;

  /** Enough for every KMS request (a 32 KiB key policy, escaped, is the largest). */
  public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;

  /**
   * Enough for a BatchReEncrypt of 1,000 items of 4 KiB plaintext each (a 4,187-byte blob is 5,584
   * base64 characters) with their contexts and key IDs.
   */
  public static final int DEFAULT_MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;

  /** The most connections open at once, by default. */
  public static final int DEFAULT_MAX_CONNECTIONS = 4096;

  /** The most connections open at once from one client address, by default. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 512;

  /** How long a request's body may take to arrive once its headers are in, by default. */
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);

  /** How long a new connection has to authenticate a request, by default. */
  public static final Duration DEFAULT_AUTHENTICATION_DEADLINE = Duration.ofSeconds(10);

  private final Server server;
  private final ServerConnector connector;
  private final AccessLog accessLog;
  private final CredentialTable credentials;
  private final ScheduledExecutorService maintenance;
  private final KmsEngine engine;
  private final Duration maintenanceInterval;
  private final GracefulHandler graceful;
  private final KmsHandler handler;
  private final boolean secure;

  private QkmsHttpServer(Builder b) {
    this.engine = b.engine;
    this.maintenanceInterval = b.maintenanceInterval;
    Map<String, Region> regions = new LinkedHashMap<>();
    b.engine.regions().forEach(r -> regions.put(r.name(), r));
    this.credentials =
        new CredentialTable(
            b.engine.accessKeys()::signingSecret, b.credentialRefresh, System::nanoTime);
    SigV4Verifier verifier =
        SigV4Verifier.builder()
            .service("kms")
            .regions(regions::containsKey)
            .clock(b.clock)
            .credentials(credentials)
            // The dispatcher acts on these: unsigned, a body signed for one call could be replayed
            // as another (Encrypt as ScheduleKeyDeletion). Every AWS SDK and the CLI sign them.
            .requireSignedHeaders("X-Amz-Target", "Content-Type")
            .build();

    QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, Math.min(8, b.maxThreads));
    threads.setName("qkms-http");
    server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setSendDateHeader(true); // the SDKs correct their clock skew from it
    // Selectors, one per core; each hands its selecting on and serves what it read (see
    // KmsHandler).
    int selectors = Math.max(2, Runtime.getRuntime().availableProcessors());
    HttpConnectionFactory http = new HttpConnectionFactory(config);
    if (b.tls != null) {
      // HTTPS only: a plain HTTP request to this port fails the TLS handshake, unanswered.
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      secure.setSniHostCheck(false); // clients check the name; IP-address clients send no SNI
      config.addCustomizer(secure);
      connector =
          new ServerConnector(
              server,
              1,
              selectors,
              new SslConnectionFactory(sslContextFactory(b.tls), http.getProtocol()),
              http);
    } else {
      connector = new ServerConnector(server, 1, selectors, http);
    }
    this.secure = b.tls != null;
    connector.setHost(b.host);
    connector.setPort(b.port);
    connector.setIdleTimeout(b.idleTimeout.toMillis());
    server.addConnector(connector);
    // Connections that have not authenticated are bounded: in number (in all, and per client
    // address) and in time (the deadline); at the total limit, Jetty stops accepting and idle
    // connections time out after the deadline rather than the idle timeout.
    NetworkConnectionLimit limit = new NetworkConnectionLimit(b.maxConnections, connector);
    limit.setEndPointIdleTimeout(b.authenticationDeadline.toMillis());
    server.addBean(limit);
    ConnectionGuard guard =
        new ConnectionGuard(connector, b.maxConnectionsPerAddress, b.authenticationDeadline);
    connector.addBean(guard);

    Dispatcher dispatcher =
        b.maxRequestsPerSecond > 0
            ? new Dispatcher(
                b.engine, new RequestQuota(b.maxRequestsPerSecond, b.engine.regions(), b.ticker))
            : new Dispatcher(b.engine);
    KmsHandler handler =
        new KmsHandler(
            dispatcher,
            verifier,
            Map.copyOf(regions),
            b.maxBodyBytes,
            b.maxBatchBodyBytes,
            guard,
            b.maxUnauthenticatedBytes,
            b.bodyTimeout,
            b.audit);
    this.handler = handler;
    graceful =
        new GracefulHandler(
            b.tryItOut ? new TryItOutHandler(handler, b.engine.regions()) : handler);
    server.setHandler(graceful);
    server.setErrorHandler(new JsonErrorHandler());
    server.setStopTimeout(b.stopTimeout.toMillis());
    server.setStopAtShutdown(false); // the owner stops it, then closes engine and store in order
    if (b.accessLog != null) {
      accessLog = new AccessLog(b.accessLog, b.accessLogFlush);
      server.setRequestLog(accessLog);
    } else {
      accessLog = null;
    }
    maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "qkms-maintenance");
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds and starts serving. */
  public QkmsHttpServer start() throws Exception {
    server.start();
    long every = maintenanceInterval.toMillis();
    maintenance.scheduleWithFixedDelay(this::maintain, every, every, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Due rotations and expired deletions happen even when no request comes to trigger them. */
  private void maintain() {
    try {
      engine.runMaintenance();
    } catch (RuntimeException e) {
      LOG.warn("Key maintenance failed: {}", e.getClass().getName());
    }
  }

  /** The port it listens on (the bound one when built with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * {@code http://host:port} ({@code https://} with TLS), for {@code --endpoint-url} or {@code
   * endpointOverride}.
   */
  public URI endpoint() {
    String host = connector.getHost() == null ? "127.0.0.1" : connector.getHost();
    return URI.create(
        (secure ? "https://" : "http://")
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + port());
  }

  /** TLS 1.3 and 1.2 only, with forward-secret AEAD cipher suites only. */
  private static SslContextFactory.Server sslContextFactory(TlsMaterial tls) {
    SslContextFactory.Server f = new SslContextFactory.Server();
    char[] password = new char[0];
    f.setKeyStore(tls.keyStore(password));
    f.setKeyStorePassword("");
    f.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    f.setIncludeCipherSuites(
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    f.setRenegotiationAllowed(false);
    return f;
  }

  /** The address it listens on. */
  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), port());
  }

  /** Waits until the server has stopped. */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Bytes held now for request bodies whose signature is not verified yet. */
  long unauthenticatedBodyBytes() {
    return handler.unauthenticatedBytes();
  }

  /** Requests being handled now. */
  public long requestsInFlight() {
    return graceful.getCurrentRequestCount();
  }

  /** Whether it is serving. */
  public boolean isRunning() {
    return server.isRunning();
  }

  /**
   * Stops gracefully: no new connections, 503 for new requests, requests in flight finish (up to
   * the stop timeout); then flushes the access log and forgets the access keys' secrets.
   */
  public void stop() throws Exception {
    maintenance.shutdownNow();
    try {
      server.stop();
    } finally {
      if (accessLog != null) {
        accessLog.close();
      }
      credentials.close();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  /** Builds a {@link QkmsHttpServer}; the engine is required. */
  public static final class Builder {
    private KmsEngine engine;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private Clock clock = Clock.systemUTC();
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxBatchBodyBytes = DEFAULT_MAX_BATCH_BODY_BYTES;
    private int maxThreads = 64;
    private Duration credentialRefresh = Duration.ofSeconds(1);
    private Duration stopTimeout = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration maintenanceInterval = Duration.ofMinutes(1);
    private Consumer<String> accessLog;
    private Runnable accessLogFlush = () -> {};
    private boolean tryItOut;
    private int maxRequestsPerSecond;
    private LongSupplier ticker = System::nanoTime;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
    private Duration authenticationDeadline = DEFAULT_AUTHENTICATION_DEADLINE;
    private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
    private TlsMaterial tls;
    private ApiAudit audit;
    private long maxUnauthenticatedBytes =
        Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);

    private Builder() {}

    /**
     * The most connections open at once (default {@value #DEFAULT_MAX_CONNECTIONS}); at the limit
     * the server accepts no more until some close.
     */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException("maxConnections must be positive");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /**
     * The most connections open at once from one client address (default {@value
     * #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}); more are closed as they open.
     */
    public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      if (maxConnectionsPerAddress < 1) {
        throw new IllegalArgumentException("maxConnectionsPerAddress must be positive");
      }
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
      return this;
    }

    /**
     * How long a new connection has to authenticate its first request, TLS handshake, headers and
     * body included (default 10 s); it is closed if it has not.
     */
    public Builder authenticationDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("authenticationDeadline must be positive");
      }
      this.authenticationDeadline = deadline;
      return this;
    }

    /**
     * How long a request's body may take to arrive once its headers are in (default {@link
     * #DEFAULT_BODY_TIMEOUT}): a body that stops, or never follows {@code Expect: 100-continue},
     * gets 408 RequestTimeoutException then and the connection closes.
     */
    public Builder bodyTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("bodyTimeout must be positive");
      }
      this.bodyTimeout = timeout;
      return this;
    }

    /**
     * The most bytes held, over all requests, for bodies whose signature is not verified yet
     * (default a quarter of the heap, at most 64 MiB); a request that would go beyond gets 503
     * ServiceUnavailableException.
     */
    public Builder maxUnauthenticatedBytes(long maxUnauthenticatedBytes) {
      if (maxUnauthenticatedBytes < 1) {
        throw new IllegalArgumentException("maxUnauthenticatedBytes must be positive");
      }
      this.maxUnauthenticatedBytes = maxUnauthenticatedBytes;
      return this;
    }

    /**
     * Serves HTTPS only, with this certificate and key (see {@link TlsMaterial#readPem}); default
     * plain HTTP.
     */
    public Builder tls(TlsMaterial tls) {
      this.tls = tls;
      return this;
    }

    /** The engine that runs the calls. */
    public Builder engine(KmsEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** The address to bind (default 127.0.0.1: only this machine). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8471; 0 picks a free one, see {@link #port()}). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("A port is 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The clock request dates are checked against (tests inject one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Larger request bodies get 413 (default 256 KiB). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be positive");
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Larger BatchReEncrypt bodies get 413 (default 8 MiB). */
    public Builder maxBatchBodyBytes(int maxBatchBodyBytes) {
      if (maxBatchBodyBytes < 1) {
        throw new IllegalArgumentException("maxBatchBodyBytes must be positive");
      }
      this.maxBatchBodyBytes = maxBatchBodyBytes;
      return this;
    }

    /** The most threads in the pool that runs key changes and Jetty's own tasks (default 64). */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 4) {
        throw new IllegalArgumentException("maxThreads must be at least 4");
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /** How soon access keys created or deleted elsewhere take effect (default 1 s). */
    public Builder credentialRefresh(Duration interval) {
      this.credentialRefresh = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** How long {@link #stop()} lets requests in flight finish (default 30 s). */
    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = Objects.requireNonNull(stopTimeout, "stopTimeout");
      return this;
    }

    /** How long an idle keep-alive connection stays open (default 60 s). */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
      return this;
    }

    /** How often due rotations and deletions are applied (default 1 minute). */
    public Builder maintenanceInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("maintenanceInterval must be positive");
      }
      this.maintenanceInterval = interval;
      return this;
    }

    /**
     * Records every API call in an audit trail (see kms-engine/README.md, "Audit trail"); none if
     * null (the default).
     */
    public Builder audit(AuditTrail trail, ApiAudit.Failure onFailure) {
      this.audit = trail == null ? null : new ApiAudit(trail, onFailure, clock);
      return this;
    }

    /** Where access log lines go (one call per line, from one background thread); none if null. */
    public Builder accessLog(Consumer<String> sink) {
      return accessLog(sink, () -> {});
    }

    /** As {@link #accessLog(Consumer)}, with {@code flush} run after each batch of lines. */
    public Builder accessLog(Consumer<String> sink, Runnable flush) {
      this.accessLog = sink;
      this.accessLogFlush = Objects.requireNonNull(flush, "flush");
      return this;
    }

    /**
     * Whether to serve the Try It Out console at {@code GET /try-it-out} (default false; see {@link
     * TryItOut}).
     */
    public Builder tryItOut(boolean tryItOut) {
      this.tryItOut = tryItOut;
      return this;
    }

    /**
     * The request quota: at most this many calls per second in each region, over all access keys
     * together (a BatchReEncrypt counts one per item); beyond it ThrottlingException, HTTP 400, as
     * AWS KMS answers (default 0: unlimited). Bursts of up to one second's worth pass.
     */
    public Builder maxRequestsPerSecond(int maxRequestsPerSecond) {
      if (maxRequestsPerSecond < 0) {
        throw new IllegalArgumentException("maxRequestsPerSecond must be 0 (unlimited) or more");
      }
      this.maxRequestsPerSecond = maxRequestsPerSecond;
      return this;
    }

    /** The monotonic nanosecond time of the request quota (default System::nanoTime). */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public QkmsHttpServer build() {
      if (engine == null) {
        throw new IllegalStateException("engine(...) is required");
      }
      return new QkmsHttpServer(this);
    }
  }
}
