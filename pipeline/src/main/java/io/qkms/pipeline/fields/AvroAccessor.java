package io.qkms.pipeline.fields;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * The accessor for Avro records: the paths are compiled against the schema into a tree of steps,
 * walked once to scan and once more to rebuild. Rebuilding copies only the records and arrays on
 * the way to a replaced value; everything else is shared with the input, which is never changed.
 */
final class AvroAccessor implements RecordAccessor<GenericRecord> {
  /** One field of a record that the walk visits. */
  private static final class Step {
    int pos;
    String path; // for messages: the path up to and including this field
    // A ciphertext leaf (target >= 0), a context reference (reference >= 0), a nested record
    // (child != null), or an array (array == true) of leaves or of records.
    int target = -1;
    CiphertextEncoding encoding;
    int reference = -1;
    Node child;
    boolean array;
    Schema arraySchema;
    int elementTarget = -1;
    Node elementChild;
    int weight; // ciphertext paths at or below this field: nulls counted when it is null
  }

  /** The steps of one record schema, in field order. */
  private static final class Node {
    Step[] steps;
    int weight;
  }

  private record Entry(FieldPath path, int index, boolean reference) {}

  private final Node root;
  private final int referenceCount;
  private final String[] targetPaths;
  private final Base64.Decoder decoder = Base64.getDecoder();
  private final Base64.Encoder encoder = Base64.getEncoder();
  private int cursor;

  AvroAccessor(Schema schema, List<FieldPath> targets, List<FieldPath> references) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      entries.add(new Entry(targets.get(i), i, false));
    }
    FieldPath.requireSingleValued(references);
    for (int i = 0; i < references.size(); i++) {
      entries.add(new Entry(references.get(i), i, true));
    }
    this.root = node(schema, entries, 0, "");
    this.referenceCount = references.size();
    this.targetPaths = targets.stream().map(FieldPath::toString).toArray(String[]::new);
  }

  // ---- compiling ---------------------------------------------------------------------------

  private static Node node(Schema record, List<Entry> entries, int depth, String prefix) {
    Map<String, List<Entry>> byName = new LinkedHashMap<>();
    for (Entry e : entries) {
      byName.computeIfAbsent(e.path.segments().get(depth).name(), k -> new ArrayList<>()).add(e);
    }
    List<Step> steps = new ArrayList<>();
    for (Map.Entry<String, List<Entry>> g : byName.entrySet()) {
      String name = g.getKey();
      List<Entry> group = g.getValue();
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      Schema.Field field = record.getField(name);
      if (field == null) {
        throw new IllegalArgumentException(
            describe(group.get(0)) + ": record " + record.getFullName() + " has no field " + name);
      }
      Schema value = nonNull(field.schema(), describe(group.get(0)));
      Step s = new Step();
      s.pos = field.pos();
      s.path = path;
      boolean array = group.get(0).path.segments().get(depth).array();
      for (Entry e : group) {
        if (e.path.segments().get(depth).array() != array) {
          throw new IllegalArgumentException(
              describe(e)
                  + " and "
                  + describe(group.get(0))
                  + " disagree on whether "
                  + path
                  + " is an array");
        }
      }
      List<Entry> ending = new ArrayList<>();
      List<Entry> deeper = new ArrayList<>();
      for (Entry e : group) {
        (e.path.segments().size() == depth + 1 ? ending : deeper).add(e);
      }
      if (ending.size() > 1 || (!ending.isEmpty() && !deeper.isEmpty())) {
        throw new IllegalArgumentException(
            "Field paths overlap at "
                + path
                + " (a ciphertext field is named twice, is also a context reference, or another"
                + " path goes inside it)");
      }
      if (array) {
        if (value.getType() != Schema.Type.ARRAY) {
          throw new IllegalArgumentException(
              describe(group.get(0)) + ": " + path + " is " + typeName(value) + ", not an array");
        }
        s.array = true;
        s.arraySchema = value;
        Schema element = nonNull(value.getElementType(), describe(group.get(0)));
        if (!ending.isEmpty()) {
          Entry e = ending.get(0);
          s.elementTarget = e.index;
          s.encoding = encoding(element, e);
          s.weight = 1;
        } else {
          if (element.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                describe(deeper.get(0))
                    + ": the elements of "
                    + path
                    + " are "
                    + typeName(element)
                    + ", not records");
          }
          s.elementChild = node(element, deeper, depth + 1, path + "[]");
          s.weight = s.elementChild.weight;
        }
      } else if (!ending.isEmpty()) {
        Entry e = ending.get(0);
        if (e.reference) {
          switch (value.getType()) {
            case STRING, ENUM, INT, LONG, BOOLEAN -> s.reference = e.index;
            default ->
                throw new IllegalArgumentException(
                    describe(e)
                        + ": "
                        + path
                        + " is "
                        + typeName(value)
                        + "; a context reference must name a string, enum, int, long or boolean"
                        + " field");
          }
        } else {
          s.target = e.index;
          s.encoding = encoding(value, e);
          s.weight = 1;
        }
      } else {
        if (value.getType() != Schema.Type.RECORD) {
          throw new IllegalArgumentException(
              describe(deeper.get(0)) + ": " + path + " is " + typeName(value) + ", not a record");
        }
        s.child = node(value, deeper, depth + 1, path);
        s.weight = s.child.weight;
      }
      steps.add(s);
    }
    steps.sort((a, b) -> Integer.compare(a.pos, b.pos));
    Node n = new Node();
    n.steps = steps.toArray(new Step[0]);
    for (Step s : n.steps) {
      n.weight += s.weight;
    }
    return n;
  }

  private static String describe(Entry e) {
    return (e.reference ? "Context reference ${" + e.path + "}" : "Field path " + e.path);
  }

  private static CiphertextEncoding encoding(Schema value, Entry e) {
    return switch (value.getType()) {
      case BYTES -> CiphertextEncoding.BYTES;
      case STRING -> CiphertextEncoding.BASE64_STRING;
      default ->
          throw new IllegalArgumentException(
              describe(e)
                  + " is "
                  + typeName(value)
                  + "; a ciphertext field must be bytes or string (base64), or a union of null"
                  + " and one of them");
    };
  }

  /** The one non-null branch of a union with null, or the schema itself. */
  private static Schema nonNull(Schema s, String what) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    Schema only = null;
    for (Schema branch : s.getTypes()) {
      if (branch.getType() == Schema.Type.NULL) {
        continue;
      }
      if (only != null) {
        throw new IllegalArgumentException(
            what + ": unions are supported only as [null, T]; found " + s);
      }
      only = branch;
    }
    if (only == null) {
      throw new IllegalArgumentException(what + ": the field is always null");
    }
    return only;
  }

  private static String typeName(Schema s) {
    return s.getType().getName();
  }

  // ---- scanning ----------------------------------------------------------------------------

  @Override
  public void scan(GenericRecord record, RecordView view) throws FieldException {
    view.reset(referenceCount);
    scanRecord(root, record, view);
  }

  private void scanRecord(Node node, GenericRecord record, RecordView view) throws FieldException {
    for (Step s : node.steps) {
      Object value = record.get(s.pos);
      if (s.reference >= 0) {
        view.references[s.reference] = value == null ? null : value.toString();
      } else if (s.target >= 0) {
        leaf(s.target, s.encoding, value, view);
      } else if (value == null) {
        view.nulls += s.weight;
      } else if (s.child != null) {
        scanRecord(s.child, (GenericRecord) value, view);
      } else {
        for (Object element : (List<?>) value) {
          if (s.elementTarget >= 0) {
            leaf(s.elementTarget, s.encoding, element, view);
          } else if (element == null) {
            view.nulls += s.elementChild.weight;
          } else {
            scanRecord(s.elementChild, (GenericRecord) element, view);
          }
        }
      }
    }
  }

  private void leaf(int target, CiphertextEncoding encoding, Object value, RecordView view)
      throws FieldException {
    if (value == null) {
      view.nulls++;
      return;
    }
    byte[] blob;
    if (encoding == CiphertextEncoding.BYTES) {
      ByteBuffer b = ((ByteBuffer) value).duplicate(); // never move the input's position
      blob = new byte[b.remaining()];
      b.get(blob);
    } else {
      try {
        if (value instanceof Utf8 u) {
          ByteBuffer out = decoder.decode(ByteBuffer.wrap(u.getBytes(), 0, u.getByteLength()));
          blob =
              out.arrayOffset() == 0 && out.limit() == out.array().length
                  ? out.array()
                  : Arrays.copyOfRange(
                      out.array(), out.arrayOffset(), out.arrayOffset() + out.limit());
        } else {
          blob = decoder.decode(value.toString());
        }
      } catch (IllegalArgumentException e) {
        throw FieldException.invalidBase64(targetPaths[target]);
      }
    }
    view.add(target, blob, 0, 0);
  }

  // ---- rebuilding --------------------------------------------------------------------------

  @Override
  public GenericRecord rewrite(GenericRecord record, RecordView view, byte[][] replacements) {
    boolean any = false;
    for (int i = 0; i < view.size; i++) {
      if (replacements[i] != null) {
        any = true;
        break;
      }
    }
    if (!any) {
      return record;
    }
    cursor = 0;
    return rewriteRecord(root, record, replacements);
  }

  private GenericRecord rewriteRecord(Node node, GenericRecord record, byte[][] replacements) {
    GenericData.Record copy = null;
    for (Step s : node.steps) {
      if (s.weight == 0) {
        continue; // references only
      }
      Object value = record.get(s.pos);
      if (value == null) {
        continue;
      }
      Object next;
      if (s.target >= 0) {
        next = replaced(s.encoding, value, replacements[cursor++]);
      } else if (s.child != null) {
        next = rewriteRecord(s.child, (GenericRecord) value, replacements);
      } else {
        next = rewriteArray(s, (List<?>) value, replacements);
      }
      if (next != value) {
        if (copy == null) {
          copy = shallowCopy(record);
        }
        copy.put(s.pos, next);
      }
    }
    return copy == null ? record : copy;
  }

  private Object rewriteArray(Step s, List<?> array, byte[][] replacements) {
    GenericData.Array<Object> copy = null;
    for (int i = 0; i < array.size(); i++) {
      Object element = array.get(i);
      Object next = element;
      if (element != null) {
        if (s.elementTarget >= 0) {
          next = replaced(s.encoding, element, replacements[cursor++]);
        } else {
          next = rewriteRecord(s.elementChild, (GenericRecord) element, replacements);
        }
      }
      if (copy == null && next != element) {
        copy = new GenericData.Array<>(array.size(), s.arraySchema);
        for (int j = 0; j < i; j++) {
          copy.add(array.get(j));
        }
      }
      if (copy != null) {
        copy.add(next);
      }
    }
    return copy == null ? array : copy;
  }

  private Object replaced(CiphertextEncoding encoding, Object value, byte[] replacement) {
    if (replacement == null) {
      return value;
    }
    return encoding == CiphertextEncoding.BYTES
        ? ByteBuffer.wrap(replacement)
        : new Utf8(encoder.encode(replacement));
  }

  private static GenericData.Record shallowCopy(GenericRecord record) {
    Schema schema = record.getSchema();
    GenericData.Record copy = new GenericData.Record(schema);
    for (int i = 0; i < schema.getFields().size(); i++) {
      copy.put(i, record.get(i));
    }
    return copy;
  }
}
