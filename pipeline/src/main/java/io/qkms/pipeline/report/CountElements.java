package io.qkms.pipeline.report;

import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Passes elements through unchanged, counting them in a {@link ReKeyMetrics} counter: how the job
 * measures what its source produced and what its sinks were given.
 */
public final class CountElements<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private static final long serialVersionUID = 1L;

  private final String counter;

  private CountElements(String counter) {
    this.counter = counter;
  }

  public static <T> CountElements<T> as(String counter) {
    return new CountElements<>(counter);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply(ParDo.of(new CountFn<T>(counter))).setCoder(input.getCoder());
  }

  private static final class CountFn<T> extends DoFn<T, T> {
    private static final long serialVersionUID = 1L;
    private final Counter counter;
    private transient long pending;

    CountFn(String name) {
      this.counter = Metrics.counter(ReKeyMetrics.NAMESPACE, name);
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      if (++pending == 4096) {
        counter.inc(pending);
        pending = 0;
      }
      out.output(element);
    }

    @FinishBundle
    public void finishBundle() {
      if (pending > 0) {
        counter.inc(pending);
        pending = 0;
      }
    }
  }
}
