package io.qkms.pipeline.worker.remote;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.crt.CrtRuntimeException;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;

/**
 * The AWS SDK HTTP client a worker's {@link RemoteClient} calls its endpoint with.
 *
 * <p>An {@code http} endpoint gets the SDK's AWS CRT client: its HTTP/1.1 path is native code, fast
 * from the first request, where the Netty client's Java code is still being compiled through the
 * first part of a run (the remote job ran about twice as fast on the CRT client: the performance
 * notes of 2026-12-07). An {@code https} endpoint gets the Netty client on the JDK's TLS: it trusts
 * what the JVM's trust store or {@code --kmsCaBundle} trusts (the CRT client can take neither), and
 * a refused certificate is named precisely ({@link RemoteErrors}). Where the CRT's native library
 * cannot be loaded (a platform it has no build for), an {@code http} endpoint gets Netty too.
 */
final class KmsHttpClients {
  private static final Logger LOG = LoggerFactory.getLogger(KmsHttpClients.class);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration IO_TIMEOUT = Duration.ofSeconds(60);

  private KmsHttpClients() {}

  /** Whether an endpoint of this scheme gets the CRT client where it loads. */
  static boolean crtFor(URI endpoint) {
    return "http".equalsIgnoreCase(endpoint.getScheme());
  }

  /**
   * A client for {@code spec}'s endpoint.
   *
   * @param trust the CA bundle's trust managers, or null for the JVM's trust store
   */
  static SdkAsyncHttpClient open(RemoteSpec spec, TrustManager[] trust) {
    return open(spec, trust, KmsHttpClients::crt);
  }

  /** As {@link #open(RemoteSpec, TrustManager[])}, the CRT client made by {@code crtOfSize}. */
  static SdkAsyncHttpClient open(
      RemoteSpec spec, TrustManager[] trust, IntFunction<SdkAsyncHttpClient> crtOfSize) {
    int connections = Math.max(8, spec.maxInFlight() * Math.min(spec.workers(), 64));
    if (crtFor(URI.create(spec.endpoint()))) {
      SdkAsyncHttpClient crt = orNull(crtOfSize, connections);
      if (crt != null) {
        LOG.debug("Calling {} with the AWS CRT HTTP client", spec.endpoint());
        return crt;
      }
    }
    LOG.debug("Calling {} with the Netty HTTP client", spec.endpoint());
    return NettyNioAsyncHttpClient.builder()
        .maxConcurrency(connections)
        .maxPendingConnectionAcquires(1_000_000)
        .connectionAcquisitionTimeout(Duration.ofMinutes(2))
        .connectionTimeout(CONNECT_TIMEOUT)
        .readTimeout(IO_TIMEOUT)
        .writeTimeout(IO_TIMEOUT)
        .tlsTrustManagersProvider(trust == null ? null : () -> trust)
        .build();
  }

  private static SdkAsyncHttpClient crt(int connections) {
    return AwsCrtAsyncHttpClient.builder()
        .maxConcurrency(connections)
        .connectionAcquisitionTimeout(Duration.ofMinutes(2))
        .connectionTimeout(CONNECT_TIMEOUT)
        // Netty's read and write timeouts: a connection that moves no byte for this long fails.
        .connectionHealthConfiguration(
            h -> h.minimumThroughputInBps(1L).minimumThroughputTimeout(IO_TIMEOUT))
        .build();
  }

  /**
   * The CRT client, or null when its native library does not load here (logged once). Only that is
   * caught: the CRT's class set-up failing ({@link LinkageError}) or its library refusing to start
   * ({@link CrtRuntimeException}); anything else the builder throws is a fault of ours and
   * propagates.
   */
  private static SdkAsyncHttpClient orNull(
      IntFunction<SdkAsyncHttpClient> crtOfSize, int connections) {
    try {
      return crtOfSize.apply(connections);
    } catch (LinkageError | CrtRuntimeException e) {
      warnOnce(e);
      return null;
    }
  }

  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private static void warnOnce(Throwable e) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "The AWS CRT HTTP client does not load on this platform ({}); calling the KMS with the"
              + " Netty HTTP client instead",
          RemoteErrors.rootCause(e));
    }
  }
}
