package io.qkms.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * One line per request, written by a background thread so that no request waits for the log:
 *
 * <pre>
 * 2026-11-28T17:03:55.123Z 5b0c...-a1 127.0.0.1:53422 ReEncrypt arn:verenc:111122223333:root 200 - 0.84ms
 * </pre>
 *
 * Fields: time, request ID, remote address, operation ({@code -} if none was recognised), principal
 * ({@code -} if the request did not authenticate), status, error code ({@code -} on success),
 * latency. Never a header, a body, a key ID, a blob or a message: nothing a request carries beyond
 * the operation name it picked from a fixed list. When the writer falls behind by more than the
 * queue holds, lines are dropped and counted rather than slowing requests down.
 */
final class AccessLog implements RequestLog, AutoCloseable {
  static final String OPERATION = "qkms.operation";
  static final String PRINCIPAL = "qkms.principal";
  static final String ERROR = "qkms.error";
  static final String REQUEST_ID = "qkms.requestId";

  private static final String STOP = new String("stop"); // identity marks the end

  private final Consumer<String> sink;
  private final Runnable afterBatch;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(65_536);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;

  AccessLog(Consumer<String> sink, Runnable afterBatch) {
    this.sink = sink;
    this.afterBatch = afterBatch;
    this.writer = new Thread(this::drain, "qkms-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void log(Request request, Response response) {
    long nanos = System.nanoTime() - request.getBeginNanoTime();
    StringBuilder b = new StringBuilder(160);
    b.append(Instant.ofEpochMilli(Request.getTimeStamp(request)))
        .append(' ')
        .append(attribute(request, REQUEST_ID))
        .append(' ')
        .append(Request.getRemoteAddr(request))
        .append(':')
        .append(Request.getRemotePort(request))
        .append(' ')
        .append(attribute(request, OPERATION))
        .append(' ')
        .append(attribute(request, PRINCIPAL))
        .append(' ')
        .append(response.getStatus())
        .append(' ')
        .append(attribute(request, ERROR))
        .append(' ');
    long micros = nanos / 1000;
    b.append(micros / 1000).append('.');
    long frac = (micros % 1000) / 10;
    if (frac < 10) {
      b.append('0');
    }
    b.append(frac).append("ms");
    if (!queue.offer(b.toString())) {
      dropped.incrementAndGet();
    }
  }

  private static Object attribute(Request request, String name) {
    Object v = request.getAttribute(name);
    return v == null ? "-" : v;
  }

  /** Lines dropped because the writer fell behind. */
  long dropped() {
    return dropped.get();
  }

  private void drain() {
    List<String> batch = new ArrayList<>(256);
    try {
      while (true) {
        String first = queue.take();
        batch.add(first);
        queue.drainTo(batch, 255);
        try {
          for (String line : batch) {
            if (line == STOP) {
              return;
            }
            sink.accept(line);
          }
        } finally {
          afterBatch.run(); // e.g. one flush per batch, not one per line
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes what is queued, then stops the writer (waits at most a few seconds). */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
