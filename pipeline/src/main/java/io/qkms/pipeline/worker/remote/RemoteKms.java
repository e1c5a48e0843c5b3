package io.qkms.pipeline.worker.remote;

import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.pipeline.worker.WorkerKms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One DoFn instance's lease on its JVM's {@link RemoteClient}: the remote implementation of {@link
 * WorkerKms}. Calls are buffered into batches of the spec's batch size (1: each call is a plain
 * ReEncrypt), and at most {@code maxInFlight} requests (a batch is one) are outstanding at once:
 * {@link #submit} blocks beyond that. Used by one thread (its DoFn's); outcomes arrive on the
 * client's threads.
 */
public final class RemoteKms implements WorkerKms {
  private static final long WAIT_SLICE_MILLIS = 100;

  private final RemoteClient client;
  private final int batchSize;
  private final Semaphore inFlight;
  private List<RemoteClient.Item> buffer;
  private boolean closed;

  RemoteKms(RemoteClient client) {
    this.client = client;
    this.batchSize = client.spec.batchSize();
    this.inFlight = new Semaphore(client.spec.maxInFlight());
    this.buffer = new ArrayList<>(batchSize);
  }

  @Override
  public void submit(Call call) {
    checkUp();
    buffer.add(new RemoteClient.Item(call));
    if (buffer.size() >= batchSize) {
      sendBuffer();
    }
  }

  @Override
  public void flush() {
    checkUp();
    if (!buffer.isEmpty()) {
      sendBuffer();
    }
  }

  @Override
  public boolean completesInline() {
    return false;
  }

  private void sendBuffer() {
    List<RemoteClient.Item> items = buffer;
    buffer = new ArrayList<>(batchSize);
    acquirePermit();
    client.send(items, new RemoteClient.Group(items.size(), inFlight::release));
  }

  /** Waits for a request slot, checking now and then that the endpoint is not taken to be down. */
  private void acquirePermit() {
    try {
      while (!inFlight.tryAcquire(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
        checkUp();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the KMS endpoint", e);
    }
  }

  private void checkUp() {
    String outage = client.outage();
    if (outage != null) {
      throw new IllegalStateException(outage);
    }
  }

  /** Requests of this lease that have not been answered for good yet. */
  public int requestsInFlight() {
    return client.spec.maxInFlight() - inFlight.availablePermits();
  }

  @Override
  public KeyMaterialRef ciphertextMaterial(byte[] ciphertext) {
    return client.ciphertextMaterial(ciphertext);
  }

  @Override
  public KeyMaterialRef currentMaterial(String keyId) {
    return client.currentMaterial(keyId);
  }

  @Override
  public Map<String, Instant> materialDates(String keyId) {
    return client.materialDates(keyId);
  }

  @Override
  public Activity takeActivity() {
    return client.takeActivity();
  }

  RemoteClient client() {
    return client;
  }

  /** The spec this lease's client was made for. */
  public RemoteSpec spec() {
    return client.spec;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      RemoteClients.release(client);
    }
  }
}
