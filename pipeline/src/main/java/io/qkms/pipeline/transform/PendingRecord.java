package io.qkms.pipeline.transform;

import io.qkms.pipeline.fields.RecordView;
import io.qkms.pipeline.worker.WorkerKms;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A record whose ciphertexts are being re-encrypted by a KMS whose calls complete later (a remote
 * endpoint): its scan, where it came from (timestamp and window, for the output), and the outcome
 * of each field's call as it arrives, on any thread. When the last call has its outcome the record
 * is queued for its DoFn, which writes it (every field re-encrypted or skipped) or dead-letters it
 * with the failure of its first failing field.
 */
final class PendingRecord<T> {
  final T record;
  final RecordView view;
  final Instant timestamp;
  final BoundedWindow window;
  final byte[][] replacements;
  int skipped; // set by the DoFn before any call is submitted
  int notSelected; // likewise
  int calls;

  private final AtomicInteger open = new AtomicInteger(1); // the DoFn's guard until all are sent
  private final Queue<PendingRecord<T>> done;

  // The first failing field (lowest index), guarded by this.
  private int failedIndex = Integer.MAX_VALUE;
  private byte[] failedCiphertext;
  private String code;
  private String message;
  private int attempts;
  private boolean transientError;

  PendingRecord(
      T record,
      RecordView view,
      Instant timestamp,
      BoundedWindow window,
      Queue<PendingRecord<T>> done) {
    this.record = record;
    this.view = view;
    this.timestamp = timestamp;
    this.window = window;
    this.replacements = new byte[view.size()][];
    this.done = done;
  }

  /**
   * The call for field {@code i} of the view, sending {@code ciphertext} (the value, or the
   * encrypted data key of {@code envelope}, which the answer is packed back into); counts it as
   * open.
   */
  WorkerKms.Call call(
      int i,
      TinkEnvelope envelope,
      byte[] ciphertext,
      String sourceKeyId,
      Map<String, String> sourceContext,
      String destinationKeyId,
      Map<String, String> destinationContext,
      List<String> grantTokens) {
    open.incrementAndGet();
    calls++;
    return new FieldCall(
        i,
        envelope,
        ciphertext,
        sourceKeyId,
        sourceContext,
        destinationKeyId,
        destinationContext,
        grantTokens);
  }

  /** The DoFn has submitted every call: the record may now complete. */
  void submitted() {
    resolved();
  }

  private void resolved() {
    if (open.decrementAndGet() == 0) {
      done.add(this);
    }
  }

  synchronized boolean failed() {
    return code != null;
  }

  synchronized int failedIndex() {
    return failedIndex;
  }

  /** What the first failing field sent (its value, or its envelope's encrypted data key). */
  synchronized byte[] failedCiphertext() {
    return failedCiphertext;
  }

  synchronized String code() {
    return code;
  }

  synchronized String message() {
    return message;
  }

  synchronized int attempts() {
    return attempts;
  }

  synchronized boolean transientError() {
    return transientError;
  }

  private synchronized void fail(int i, byte[] sent, String c, String m, int a, boolean t) {
    if (i < failedIndex) {
      failedIndex = i;
      failedCiphertext = sent;
      code = c;
      message = m;
      attempts = a;
      transientError = t;
    }
  }

  private final class FieldCall implements WorkerKms.Call {
    private final int index;
    private final TinkEnvelope envelope; // null: the ciphertext is the whole value
    private final byte[] ciphertext;
    private final String sourceKeyId;
    private final Map<String, String> sourceContext;
    private final String destinationKeyId;
    private final Map<String, String> destinationContext;
    private final List<String> grantTokens;

    FieldCall(
        int index,
        TinkEnvelope envelope,
        byte[] ciphertext,
        String sourceKeyId,
        Map<String, String> sourceContext,
        String destinationKeyId,
        Map<String, String> destinationContext,
        List<String> grantTokens) {
      this.index = index;
      this.envelope = envelope;
      this.ciphertext = ciphertext;
      this.sourceKeyId = sourceKeyId;
      this.sourceContext = sourceContext;
      this.destinationKeyId = destinationKeyId;
      this.destinationContext = destinationContext;
      this.grantTokens = grantTokens;
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext;
    }

    @Override
    public String sourceKeyId() {
      return sourceKeyId;
    }

    @Override
    public Map<String, String> sourceContext() {
      return sourceContext;
    }

    @Override
    public String destinationKeyId() {
      return destinationKeyId;
    }

    @Override
    public Map<String, String> destinationContext() {
      return destinationContext;
    }

    @Override
    public List<String> grantTokens() {
      return grantTokens;
    }

    @Override
    public void succeeded(byte[] blob) {
      // Published to the DoFn by the queue.
      replacements[index] = ReEncryptFn.repack(envelope, blob);
      resolved();
    }

    @Override
    public void failed(String errorCode, String errorMessage, int tries, boolean transientFailure) {
      fail(index, ciphertext, errorCode, errorMessage, tries, transientFailure);
      resolved();
    }
  }
}
