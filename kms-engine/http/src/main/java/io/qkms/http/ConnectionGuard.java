package io.qkms.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a client that has not authenticated can hold, as a Jetty {@link Connection.Listener}
 * on the connector: at most {@code maxPerAddress} open connections from one client address (more
 * are closed as they open), and a connection must authenticate a request within the deadline of
 * opening (TLS handshake, request headers and body included) or it is closed. A connection that has
 * authenticated keeps the connector's idle timeout. Together with the connector's total limit
 * (Jetty's {@code NetworkConnectionLimit}) this keeps header tricklers and idle sockets from taking
 * every connection or file descriptor.
 *
 * <p>Counted per socket: with TLS, the TLS connection (on the network end point), not the HTTP
 * connection layered on it.
 */
final class ConnectionGuard implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Connector connector;
  private final int maxPerAddress;
  private final long deadlineMillis;
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final Map<SocketAddress, Scheduler.Task> unauthenticated = new ConcurrentHashMap<>();
  // Where each open socket comes from, recorded when it opens: once closed, an end point no longer
  // knows its remote address (Jetty answers null), and the count must still be given back.
  private final Map<EndPoint, Opened> opened = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final LogLimiter warnings = new LogLimiter();

  ConnectionGuard(Connector connector, int maxPerAddress, Duration deadline) {
    this.connector = connector;
    this.maxPerAddress = maxPerAddress;
    this.deadlineMillis = deadline.toMillis();
  }

  @Override
  public void onOpened(Connection connection) {
    EndPoint endPoint = connection.getEndPoint();
    if (!(endPoint instanceof SocketChannelEndPoint)) {
      return; // the HTTP layer of a TLS connection: its socket is counted already
    }
    SocketAddress remote = endPoint.getRemoteSocketAddress();
    InetAddress address = address(remote);
    opened.put(endPoint, new Opened(address, remote));
    int open = perAddress.merge(address, 1, Integer::sum);
    if (open > maxPerAddress) {
      refused.incrementAndGet();
      warn();
      endPoint.close(); // onClosed gives the count back
      return;
    }
    if (remote == null) {
      return; // closed already
    }
    unauthenticated.put(
        remote,
        connector
            .getScheduler()
            .schedule(() -> expire(remote, endPoint), deadlineMillis, TimeUnit.MILLISECONDS));
  }

  @Override
  public void onClosed(Connection connection) {
    EndPoint endPoint = connection.getEndPoint();
    if (!(endPoint instanceof SocketChannelEndPoint)) {
      return;
    }
    Opened o = opened.remove(endPoint);
    if (o == null) {
      return;
    }
    if (o.remote() != null) {
      Scheduler.Task deadline = unauthenticated.remove(o.remote());
      if (deadline != null) {
        deadline.cancel();
      }
    }
    perAddress.computeIfPresent(o.address(), (a, n) -> n <= 1 ? null : n - 1);
  }

  private record Opened(InetAddress address, SocketAddress remote) {}

  /** The connection from {@code remote} has authenticated a request: no deadline any more. */
  void authenticated(SocketAddress remote) {
    if (remote == null) {
      return;
    }
    Scheduler.Task deadline = unauthenticated.remove(remote);
    if (deadline != null) {
      deadline.cancel();
    }
  }

  private void expire(SocketAddress remote, EndPoint endPoint) {
    if (unauthenticated.remove(remote) != null) {
      expired.incrementAndGet();
      warn();
      endPoint.close();
    }
  }

  /** One summary line at most every 10 s, so that an attack cannot flood the log. */
  private void warn() {
    if (warnings.allow()) {
      LOG.warn(
          "Closed connections that did not authenticate: {} over {} per client address, {} past"
              + " the {} ms deadline (totals since start)",
          refused.get(),
          maxPerAddress,
          expired.get(),
          deadlineMillis);
    }
  }

  private static InetAddress address(SocketAddress remote) {
    return remote instanceof InetSocketAddress i && i.getAddress() != null
        ? i.getAddress()
        : InetAddress.getLoopbackAddress();
  }

  /** Connections closed because their address had too many (for tests and monitoring). */
  long refusedConnections() {
    return refused.get();
  }

  /** Client addresses with open connections, and how many each has (for tests). */
  Map<InetAddress, Integer> openPerAddress() {
    return Map.copyOf(perAddress);
  }

  /** Connections closed because they did not authenticate in time. */
  long expiredConnections() {
    return expired.get();
  }
}
