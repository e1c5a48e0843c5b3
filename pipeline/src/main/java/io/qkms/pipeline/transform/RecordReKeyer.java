package io.qkms.pipeline.transform;

import io.qkms.pipeline.deadletter.DeadLetter;
import java.io.Serializable;
import java.util.function.Consumer;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * A {@link ReEncrypt.Records} transform's per-record work, driven by another DoFn (one that reads,
 * re-keys and writes a whole shard of input, then commits it): {@link #setup()} in that DoFn's
 * {@code @Setup}, {@link #beginShard()}, {@link #process} per record and {@link #endShard} around
 * each shard, and {@link #teardown()} in its {@code @Teardown}. Through a remote KMS a record's
 * outcome may come during a later record's {@link #process}, or in {@link #endShard}, which waits
 * for the shard's last ones. Counters go to the Beam metrics of the calling step. Serializable with
 * the DoFn that holds it; not thread-safe.
 *
 * @param <T> the record type
 */
public final class RecordReKeyer<T> implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ReEncryptFn<T> fn;
  private final TupleTag<T> recordsTag;
  private final TupleTag<DeadLetter<T>> failuresTag;
  private transient java.util.Map<String, Long> tally;

  RecordReKeyer(ReEncryptFn<T> fn, TupleTag<T> recordsTag, TupleTag<DeadLetter<T>> failuresTag) {
    this.fn = fn;
    this.recordsTag = recordsTag;
    this.failuresTag = failuresTag;
  }

  public void setup() {
    fn.setup();
  }

  /**
   * Re-keys one record: the rebuilt record goes to {@code written}, or the original, with why, to
   * {@code failed}, now or (through a remote KMS) during a later call of the same shard.
   */
  public void process(T record, Consumer<T> written, Consumer<DeadLetter<T>> failed) {
    fn.process(
        record,
        BoundedWindow.TIMESTAMP_MIN_VALUE,
        GlobalWindow.INSTANCE,
        new Receiver(written, failed));
  }

  /** Starts counting a shard: {@link #endShard()} returns what was counted since. */
  public void beginShard() {
    fn.beginShard();
    tally = new java.util.TreeMap<>();
    fn.counters().tallyInto(tally);
  }

  /**
   * Emits the shard's records still waiting for the KMS (to {@code written} or {@code failed}),
   * adds the counts so far to the metrics and returns the shard's record and field counts by metric
   * name ({@link io.qkms.pipeline.report.ReKeyMetrics}).
   */
  public java.util.Map<String, Long> endShard(Consumer<T> written, Consumer<DeadLetter<T>> failed) {
    fn.endShard(new Receiver(written, failed));
    fn.counters().tallyInto(null);
    java.util.Map<String, Long> counted = tally == null ? java.util.Map.of() : tally;
    tally = null;
    return counted;
  }

  public void teardown() {
    fn.teardown();
  }

  private final class Receiver implements DoFn.MultiOutputReceiver {
    private final Consumer<T> written;
    private final Consumer<DeadLetter<T>> failed;

    Receiver(Consumer<T> written, Consumer<DeadLetter<T>> failed) {
      this.written = written;
      this.failed = failed;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <X> DoFn.OutputReceiver<X> get(TupleTag<X> tag) {
      Consumer<X> to =
          tag.equals(recordsTag)
              ? (Consumer<X>) written
              : tag.equals(failuresTag) ? (Consumer<X>) failed : null;
      if (to == null) {
        throw new IllegalArgumentException("No output " + tag);
      }
      return new DoFn.OutputReceiver<>() {
        @Override
        public void output(X output) {
          to.accept(output);
        }

        @Override
        public void outputWithTimestamp(X output, Instant timestamp) {
          to.accept(output);
        }
      };
    }

    @Override
    public <X> DoFn.OutputReceiver<Row> getRowReceiver(TupleTag<X> tag) {
      throw new UnsupportedOperationException("Rows are not supported");
    }
  }
}
