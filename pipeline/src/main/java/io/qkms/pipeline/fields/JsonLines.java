package io.qkms.pipeline.fields;

import java.util.List;

/**
 * JSON Lines: one JSON object per line. Ciphertext fields hold base64 strings (or null); context
 * references name strings, numbers or booleans. A re-encrypted line is the input line with only the
 * ciphertext strings replaced, so everything else stays byte for byte as it was.
 */
public final class JsonLines implements RecordFormat<String> {
  private static final long serialVersionUID = 1L;

  private JsonLines() {}

  public static JsonLines create() {
    return new JsonLines();
  }

  @Override
  public RecordAccessor<String> compile(List<FieldPath> targets, List<FieldPath> references) {
    return new JsonLineAccessor(targets, references);
  }

  @Override
  public String name() {
    return "jsonl";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonLines;
  }

  @Override
  public int hashCode() {
    return JsonLines.class.hashCode();
  }
}
