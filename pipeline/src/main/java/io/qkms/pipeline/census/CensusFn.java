package io.qkms.pipeline.census;

import io.qkms.engine.KmsEngine;
import io.qkms.engine.api.CiphertextHeader;
import io.qkms.pipeline.fields.FieldException;
import io.qkms.pipeline.fields.FieldPath;
import io.qkms.pipeline.fields.RecordAccessor;
import io.qkms.pipeline.fields.RecordFormat;
import io.qkms.pipeline.fields.RecordView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;

/**
 * Counts, per ciphertext field, the (key, material) each blob's cleartext header names, and the
 * values that are no blob by reason; emits one {@link CensusCounts} per bundle. Reads headers only:
 * no engine, no key, nothing decrypted. Each field is scanned on its own, so a bad value in one
 * field does not hide the others of the record.
 */
final class CensusFn<T> extends DoFn<T, CensusCounts> {
  private static final long serialVersionUID = 1L;

  private final RecordFormat<T> format;
  private final List<FieldPath> fields;

  private transient List<RecordAccessor<T>> accessors;
  private transient String[] names;
  private transient RecordView view;
  private transient List<Map<CiphertextHeader, long[]>> byHeader;
  private transient CensusCounts counts;

  CensusFn(RecordFormat<T> format, List<FieldPath> fields) {
    this.format = format;
    this.fields = List.copyOf(fields);
  }

  @Setup
  public void setup() {
    accessors = new ArrayList<>();
    names = new String[fields.size()];
    for (int f = 0; f < fields.size(); f++) {
      accessors.add(format.compile(List.of(fields.get(f)), List.of()));
      names[f] = fields.get(f).toString();
    }
    view = new RecordView();
  }

  @StartBundle
  public void startBundle() {
    counts = new CensusCounts();
    byHeader = new ArrayList<>();
    for (int f = 0; f < fields.size(); f++) {
      byHeader.add(new HashMap<>());
    }
  }

  @ProcessElement
  public void process(@Element T record) {
    if (counts.records++ == 0) {
      counts.firstRecordMillis = System.currentTimeMillis();
    }
    for (int f = 0; f < names.length; f++) {
      try {
        accessors.get(f).scan(record, view);
      } catch (FieldException e) {
        counts.addNotParsed(names[f], e.code(), 1);
        continue;
      }
      if (view.nulls() > 0) {
        counts.addNotParsed(names[f], CensusCounts.NULL, view.nulls());
      }
      Map<CiphertextHeader, long[]> seen = byHeader.get(f);
      for (int i = 0; i < view.size(); i++) {
        CiphertextHeader h = KmsEngine.readCiphertextHeader(view.ciphertext(i));
        if (h == null) {
          counts.addNotParsed(names[f], CensusCounts.NOT_QKMS, 1);
        } else {
          seen.computeIfAbsent(h, k -> new long[1])[0]++;
        }
      }
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext c) {
    for (int f = 0; f < names.length; f++) {
      for (Map.Entry<CiphertextHeader, long[]> e : byHeader.get(f).entrySet()) {
        counts.addBlobs(
            names[f], e.getKey().keyId().value(), e.getKey().materialId().hex(), e.getValue()[0]);
      }
    }
    if (counts.records > 0) {
      c.output(counts, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
    }
  }
}
