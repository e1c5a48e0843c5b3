package io.qkms.pipeline.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** The coder of {@link DeadLetter}s, over the coder of the records they carry. */
public final class DeadLetterCoder<T> extends StructuredCoder<DeadLetter<T>> {
  private static final long serialVersionUID = 1L;
  private static final Coder<String> STRING = StringUtf8Coder.of();
  private static final Coder<String> NULLABLE_STRING = NullableCoder.of(StringUtf8Coder.of());
  private static final Coder<Integer> INT = VarIntCoder.of();
  private static final Coder<Long> LONG = VarLongCoder.of();

  private final Coder<T> recordCoder;

  private DeadLetterCoder(Coder<T> recordCoder) {
    this.recordCoder = recordCoder;
  }

  public static <T> DeadLetterCoder<T> of(Coder<T> recordCoder) {
    return new DeadLetterCoder<>(recordCoder);
  }

  public Coder<T> recordCoder() {
    return recordCoder;
  }

  @Override
  public void encode(DeadLetter<T> value, OutputStream out) throws IOException {
    recordCoder.encode(value.record(), out);
    NULLABLE_STRING.encode(value.fieldPath(), out);
    STRING.encode(value.errorCode(), out);
    STRING.encode(value.message(), out);
    NULLABLE_STRING.encode(value.sourceKeyArn(), out);
    INT.encode(value.attempts(), out);
    LONG.encode(value.time().toEpochMilli(), out);
  }

  @Override
  public DeadLetter<T> decode(InputStream in) throws IOException {
    T record = recordCoder.decode(in);
    String fieldPath = NULLABLE_STRING.decode(in);
    String errorCode = STRING.decode(in);
    String message = STRING.decode(in);
    String sourceKeyArn = NULLABLE_STRING.decode(in);
    int attempts = INT.decode(in);
    long time = LONG.decode(in);
    return new DeadLetter<>(
        record, fieldPath, errorCode, message, sourceKeyArn, attempts, Instant.ofEpochMilli(time));
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of(recordCoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    verifyDeterministic(this, "The record coder must be deterministic", recordCoder);
  }
}
