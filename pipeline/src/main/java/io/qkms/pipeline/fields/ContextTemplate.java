package io.qkms.pipeline.fields;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qkms.pipeline.deadletter.ErrorCodes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An encryption context whose values may refer to fields of the record being re-encrypted: {@code
 * {"tenant":"${tenant_id}","table":"orders"}}. A value may mix text and references ({@code
 * "t-${tenant_id}"}); {@code $$} stands for a literal {@code $}. Keys are literal.
 */
public final class ContextTemplate implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A part of a value: literal text, or a reference (text is null). */
  private record Part(String text, FieldPath reference) implements Serializable {}

  private final LinkedHashMap<String, String> source;
  private final LinkedHashMap<String, List<Part>> parts;

  private ContextTemplate(Map<String, String> source) {
    this.source = new LinkedHashMap<>(source);
    this.parts = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : source.entrySet()) {
      parts.put(Objects.requireNonNull(e.getKey(), "context key"), parse(e.getKey(), e.getValue()));
    }
  }

  /**
   * @throws IllegalArgumentException if a value has a malformed reference, naming the key
   */
  public static ContextTemplate of(Map<String, String> context) {
    return new ContextTemplate(context == null ? Map.of() : context);
  }

  public static ContextTemplate empty() {
    return new ContextTemplate(Map.of());
  }

  private static List<Part> parse(String key, String value) {
    if (value == null) {
      throw new IllegalArgumentException("Context key '" + key + "' has no value");
    }
    List<Part> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      char ch = value.charAt(i);
      if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
        text.append('$');
        i += 2;
      } else if (ch == '$' && i + 1 < value.length() && value.charAt(i + 1) == '{') {
        int close = value.indexOf('}', i + 2);
        if (close < 0) {
          throw new IllegalArgumentException(
              "Context key '" + key + "': '${' without a closing '}' in \"" + value + "\"");
        }
        FieldPath ref;
        try {
          ref = FieldPath.parse(value.substring(i + 2, close));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("Context key '" + key + "': " + e.getMessage());
        }
        if (text.length() > 0) {
          out.add(new Part(text.toString(), null));
          text.setLength(0);
        }
        out.add(new Part(null, ref));
        i = close + 1;
      } else {
        text.append(ch);
        i++;
      }
    }
    if (text.length() > 0 || out.isEmpty()) {
      out.add(new Part(text.toString(), null));
    }
    return List.copyOf(out);
  }

  /** The fields this template refers to, each once, in order of appearance. */
  public List<FieldPath> references() {
    Set<FieldPath> refs = new LinkedHashSet<>();
    for (List<Part> ps : parts.values()) {
      for (Part p : ps) {
        if (p.reference() != null) {
          refs.add(p.reference());
        }
      }
    }
    return List.copyOf(refs);
  }

  public boolean isEmpty() {
    return parts.isEmpty();
  }

  /**
   * A resolver for records whose references were scanned at the positions of {@code allReferences}.
   */
  public Resolver bind(List<FieldPath> allReferences) {
    return new Resolver(this, allReferences);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContextTemplate t && source.equals(t.source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    try {
      return JSON.writeValueAsString(source);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Resolves a template against scanned records; a constant template costs nothing. */
  public static final class Resolver {
    private final String[] keys;
    private final String[][] texts; // per key: literal parts (null where a reference goes)
    private final int[][] refs; // per key: reference indexes (-1 where literal text goes)
    private final String[][] refPaths;
    private final Map<String, String> constant;

    private Resolver(ContextTemplate t, List<FieldPath> allReferences) {
      int n = t.parts.size();
      keys = new String[n];
      texts = new String[n][];
      refs = new int[n][];
      refPaths = new String[n][];
      boolean constantSoFar = true;
      int k = 0;
      for (Map.Entry<String, List<Part>> e : t.parts.entrySet()) {
        keys[k] = e.getKey();
        List<Part> ps = e.getValue();
        texts[k] = new String[ps.size()];
        refs[k] = new int[ps.size()];
        refPaths[k] = new String[ps.size()];
        for (int j = 0; j < ps.size(); j++) {
          Part p = ps.get(j);
          texts[k][j] = p.text();
          if (p.reference() == null) {
            refs[k][j] = -1;
          } else {
            constantSoFar = false;
            refs[k][j] = allReferences.indexOf(p.reference());
            refPaths[k][j] = p.reference().toString();
            if (refs[k][j] < 0) {
              throw new IllegalArgumentException("Reference " + p.reference() + " not bound");
            }
          }
        }
        k++;
      }
      constant = constantSoFar ? Collections.unmodifiableMap(new LinkedHashMap<>(t.source)) : null;
    }

    /** The context for the record scanned into {@code view}; null for an empty template. */
    public Map<String, String> resolve(RecordView view) throws FieldException {
      if (constant != null) {
        return constant.isEmpty() ? null : constant;
      }
      Map<String, String> out = new LinkedHashMap<>(keys.length * 2);
      for (int k = 0; k < keys.length; k++) {
        if (texts[k].length == 1 && refs[k][0] < 0) {
          out.put(keys[k], texts[k][0]);
          continue;
        }
        StringBuilder v = new StringBuilder();
        for (int j = 0; j < texts[k].length; j++) {
          int r = refs[k][j];
          if (r < 0) {
            v.append(texts[k][j]);
            continue;
          }
          String invalid = view.invalidReference(r);
          if (invalid != null) {
            throw refused(
                ErrorCodes.CONTEXT_FIELD_INVALID, k, j, "cannot be context text: " + invalid);
          }
          String value = view.reference(r);
          if (value == null) {
            throw refused(
                ErrorCodes.CONTEXT_FIELD_MISSING, k, j, "is null or absent in this record");
          }
          v.append(value);
        }
        out.put(keys[k], v.toString());
      }
      return out;
    }

    /** The failure of reference {@code j} of key {@code k}: it {@code what}. */
    private FieldException refused(String code, int k, int j, String what) {
      return new FieldException(
          code,
          refPaths[k][j],
          "Context key '" + keys[k] + "' refers to ${" + refPaths[k][j] + "}, which " + what);
    }
  }
}
