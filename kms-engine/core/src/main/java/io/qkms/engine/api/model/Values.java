package io.qkms.engine.api.model;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** What the records of the model share: defensive copies, and a toString that hides blobs. */
final class Values {
  private Values() {}

  /** An unmodifiable copy in the same order; null stays null (an absent member). */
  static <T> List<T> copy(List<T> list) {
    return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** An unmodifiable copy in the same order; null stays null (an absent member). */
  static <K, V> Map<K, V> copy(Map<K, V> map) {
    return map == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * A record as its default {@code toString} shows it, but blobs only by their length: they may be
   * plaintext or key material.
   */
  static String describe(Record r) {
    StringJoiner out = new StringJoiner(", ", r.getClass().getSimpleName() + "[", "]");
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(e);
      }
      out.add(c.getName() + "=" + (v instanceof byte[] b ? "<" + b.length + " bytes>" : v));
    }
    return out.toString();
  }
}
