package io.qkms.pipeline.fields;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.qkms.pipeline.deadletter.ErrorCodes;
import io.qkms.pipeline.read.LosslessUtf8;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The accessor for JSON Lines: a streaming pass over the line (subtrees that no path enters are
 * skipped) that notes where each ciphertext string starts and ends, so that rebuilding only splices
 * the new base64 strings into the original text.
 */
final class JsonLineAccessor implements RecordAccessor<String> {
  // Thread-safe and cheap to share; parsers are per line (Jackson has no resettable parser), and
  // they recycle the factory's buffers.
  private static final JsonFactory FACTORY = new JsonFactory();

  private enum Kind {
    TARGET,
    REFERENCE,
    OBJECT,
    ARRAY
  }

  /** What the paths expect under one key of an object. */
  private static final class Child {
    String path;
    int bit;
    Kind kind;
    int index = -1; // target or reference index
    ObjectSpec object; // OBJECT, or ARRAY of objects
    int elementTarget = -1; // ARRAY of ciphertexts
    int weight; // ciphertext paths at or below: counted as nulls when absent or null
  }

  /** The keys the paths expect in one object. */
  private static final class ObjectSpec {
    final Map<String, Child> children = new HashMap<>();
    Child[] ordered = new Child[0];
  }

  private final ObjectSpec root = new ObjectSpec();
  private final int referenceCount;
  private final String[] targetPaths;
  private final Base64.Decoder decoder = Base64.getDecoder();
  private final Base64.Encoder encoder = Base64.getEncoder();

  JsonLineAccessor(List<FieldPath> targets, List<FieldPath> references) {
    for (int i = 0; i < targets.size(); i++) {
      add(targets.get(i), i, false);
    }
    FieldPath.requireSingleValued(references);
    for (int i = 0; i < references.size(); i++) {
      add(references.get(i), i, true);
    }
    finish(root);
    this.referenceCount = references.size();
    this.targetPaths = targets.stream().map(FieldPath::toString).toArray(String[]::new);
  }

  // ---- compiling ---------------------------------------------------------------------------

  private void add(FieldPath path, int index, boolean reference) {
    ObjectSpec spec = root;
    List<FieldPath.Segment> segments = path.segments();
    StringBuilder p = new StringBuilder();
    for (int d = 0; d < segments.size(); d++) {
      FieldPath.Segment seg = segments.get(d);
      if (p.length() > 0) {
        p.append('.');
      }
      p.append(seg.name());
      boolean last = d == segments.size() - 1;
      Child c = spec.children.get(seg.name());
      Kind kind =
          seg.array() ? Kind.ARRAY : !last ? Kind.OBJECT : reference ? Kind.REFERENCE : Kind.TARGET;
      if (c == null) {
        c = new Child();
        c.path = p.toString();
        c.kind = kind;
        spec.children.put(seg.name(), c);
      } else if (c.kind != kind || last || c.elementTarget >= 0) {
        throw new IllegalArgumentException(
            "Field paths overlap at "
                + p
                + " (a ciphertext field is named twice, is also a context reference, or another"
                + " path goes inside it)");
      }
      if (!reference) {
        c.weight++;
      }
      if (seg.array()) {
        p.append("[]");
        if (last) {
          if (c.object != null) {
            throw new IllegalArgumentException("Field paths overlap at " + p);
          }
          c.elementTarget = index;
          return;
        }
        if (c.object == null) {
          c.object = new ObjectSpec();
        }
        spec = c.object;
      } else if (last) {
        c.index = index;
        return;
      } else {
        if (c.object == null) {
          c.object = new ObjectSpec();
        }
        spec = c.object;
      }
    }
  }

  private static void finish(ObjectSpec spec) {
    spec.ordered = spec.children.values().toArray(new Child[0]);
    if (spec.ordered.length > 64) {
      throw new IllegalArgumentException("At most 64 paths may share one JSON object");
    }
    for (int i = 0; i < spec.ordered.length; i++) {
      spec.ordered[i].bit = i;
      if (spec.ordered[i].object != null) {
        finish(spec.ordered[i].object);
      }
    }
  }

  // ---- scanning ----------------------------------------------------------------------------

  @Override
  public void scan(String line, RecordView view) throws FieldException {
    view.reset(referenceCount);
    try (JsonParser p = FACTORY.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("the line is not a JSON object");
      }
      scanObject(p, root, line, view);
      if (p.nextToken() != null) {
        throw malformed("the line has more after its JSON object");
      }
    } catch (StreamConstraintsException e) {
      // Valid JSON, perhaps, but beyond a limit of the parser. Its original message names the
      // limit and the length or depth found, never the input's text.
      throw new FieldException(
          ErrorCodes.JSON_LIMIT_EXCEEDED,
          null,
          "The line exceeds a limit of the JSON parser: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      // Jackson's own message quotes the input: report only where it went wrong.
      throw malformed(
          e.getLocation() == null
              ? "the line is not valid JSON"
              : "the line is not valid JSON (column " + e.getLocation().getColumnNr() + ")");
    } catch (IOException e) {
      throw malformed("the line cannot be read as JSON");
    }
  }

  private void scanObject(JsonParser p, ObjectSpec spec, String line, RecordView view)
      throws IOException, FieldException {
    long seen = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      Child c = spec.children.get(p.currentName());
      t = p.nextToken();
      if (c == null) {
        p.skipChildren();
        continue;
      }
      if ((seen & (1L << c.bit)) != 0) {
        // JSON readers differ on which of two equal names counts (most: the last).
        throw new FieldException(
            ErrorCodes.DUPLICATE_FIELD,
            c.path,
            "The field "
                + c.path
                + " appears twice in one object: which one counts is ambiguous, so neither is used");
      }
      seen |= 1L << c.bit;
      switch (c.kind) {
        case TARGET -> target(p, t, c.index, line, view);
        case REFERENCE -> reference(p, t, c, view);
        case OBJECT -> {
          if (t == JsonToken.VALUE_NULL) {
            view.nulls += c.weight;
          } else if (t == JsonToken.START_OBJECT) {
            scanObject(p, c.object, line, view);
          } else {
            throw wrongType(c.path, t, "an object");
          }
        }
        case ARRAY -> {
          if (t == JsonToken.VALUE_NULL) {
            view.nulls += c.weight;
          } else if (t != JsonToken.START_ARRAY) {
            throw wrongType(c.path, t, "an array");
          } else {
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
              if (c.elementTarget >= 0) {
                target(p, t, c.elementTarget, line, view);
              } else if (t == JsonToken.VALUE_NULL) {
                view.nulls += c.weight;
              } else if (t == JsonToken.START_OBJECT) {
                scanObject(p, c.object, line, view);
              } else {
                throw wrongType(c.path + "[]", t, "an object");
              }
            }
          }
        }
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw malformed("the line is not valid JSON");
    }
    if (seen != (spec.ordered.length == 64 ? -1L : (1L << spec.ordered.length) - 1)) {
      for (Child c : spec.ordered) {
        if ((seen & (1L << c.bit)) == 0) {
          view.nulls += c.weight; // absent: passed through like null
        }
      }
    }
  }

  private void target(JsonParser p, JsonToken t, int index, String line, RecordView view)
      throws IOException, FieldException {
    if (t == JsonToken.VALUE_NULL) {
      view.nulls++;
      return;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw wrongType(targetPaths[index], t, "a base64 string or null");
    }
    int start = (int) p.currentTokenLocation().getCharOffset();
    byte[] blob;
    try {
      blob = decoder.decode(p.getText());
    } catch (IllegalArgumentException e) {
      throw FieldException.invalidBase64(targetPaths[index]);
    }
    view.add(index, blob, start, closingQuote(line, start) + 1);
  }

  private static int closingQuote(String line, int openingQuote) {
    for (int i = openingQuote + 1; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '\\') {
        i++;
      } else if (ch == '"') {
        return i;
      }
    }
    throw new IllegalStateException("Jackson accepted a string without a closing quote");
  }

  private static void reference(JsonParser p, JsonToken t, Child c, RecordView view)
      throws IOException {
    switch (t) {
      case VALUE_STRING -> {
        String text = p.getText();
        if (LosslessUtf8.hasLoneSurrogate(text)) {
          // Bytes that are not UTF-8 (or an escaped lone surrogate): no context text equals them.
          view.invalidReferences[c.index] =
              c.path + " holds bytes that are not UTF-8 (or a lone surrogate escape)";
        } else {
          view.references[c.index] = text;
        }
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> view.references[c.index] = p.getText();
      case VALUE_TRUE -> view.references[c.index] = "true";
      case VALUE_FALSE -> view.references[c.index] = "false";
      case VALUE_NULL -> view.references[c.index] = null;
      default -> {
        view.invalidReferences[c.index] =
            c.path + " is a JSON " + (t == JsonToken.START_ARRAY ? "array" : "object");
        p.skipChildren();
      }
    }
  }

  private static FieldException malformed(String why) {
    return new FieldException(ErrorCodes.MALFORMED_RECORD, null, "Malformed record: " + why);
  }

  private static FieldException wrongType(String path, JsonToken t, String expected) {
    String found =
        switch (t) {
          case START_OBJECT -> "an object";
          case START_ARRAY -> "an array";
          case VALUE_STRING -> "a string";
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
          case VALUE_TRUE, VALUE_FALSE -> "a boolean";
          case VALUE_NULL -> "null";
          default -> String.valueOf(t);
        };
    return new FieldException(
        ErrorCodes.INVALID_FIELD_TYPE,
        path,
        "The field " + path + " holds " + found + "; expected " + expected);
  }

  // ---- rebuilding --------------------------------------------------------------------------

  @Override
  public String rewrite(String line, RecordView view, byte[][] replacements) {
    StringBuilder out = null;
    int last = 0;
    for (int i = 0; i < view.size; i++) {
      if (replacements[i] == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(line.length() + 64);
      }
      out.append(line, last, view.start[i]).append('"');
      out.append(encoder.encodeToString(replacements[i])).append('"');
      last = view.end[i];
    }
    if (out == null) {
      return line;
    }
    return out.append(line, last, line.length()).toString();
  }
}
