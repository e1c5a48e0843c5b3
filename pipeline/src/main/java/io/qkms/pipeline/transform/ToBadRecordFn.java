package io.qkms.pipeline.transform;

import io.qkms.pipeline.deadletter.DeadLetter;
import java.io.IOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * A failure as a Beam {@link BadRecord}: the original record encoded with the input coder (and, for
 * reading, its {@code toString()}: a JSON line, or Avro's JSON-like rendering, which holds only
 * ciphertexts), and the description {@code <code> at <field>: <message>}. No stack trace: these are
 * data errors.
 */
final class ToBadRecordFn<T> extends DoFn<DeadLetter<T>, BadRecord> {
  private static final long serialVersionUID = 1L;

  private final Coder<T> coder;

  ToBadRecordFn(Coder<T> coder) {
    this.coder = coder;
  }

  @ProcessElement
  public void process(@Element DeadLetter<T> d, OutputReceiver<BadRecord> out) throws IOException {
    String description =
        d.errorCode() + (d.fieldPath() == null ? "" : " at " + d.fieldPath()) + ": " + d.message();
    out.output(
        BadRecord.builder()
            .setRecord(
                BadRecord.Record.builder()
                    .setHumanReadableJsonRecord(d.record().toString())
                    .setEncodedRecord(CoderUtils.encodeToByteArray(coder, d.record()))
                    .setCoder(coder.toString())
                    .build())
            .setFailure(
                BadRecord.Failure.builder()
                    .setException(d.errorCode())
                    .setDescription(description)
                    .build())
            .build());
  }
}
