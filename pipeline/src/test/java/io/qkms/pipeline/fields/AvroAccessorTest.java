package io.qkms.pipeline.fields;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.deadletter.ErrorCodes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroAccessorTest {
  static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
              {"type": "record", "name": "Doc", "fields": [
                {"name": "tenant", "type": ["null", "string"]},
                {"name": "level", "type": "int"},
                {"name": "card", "type": ["null", {"type": "record", "name": "Card", "fields": [
                  {"name": "number", "type": "bytes"}]}]},
                {"name": "items", "type": {"type": "array", "items": ["null", {
                  "type": "record", "name": "Item", "fields": [
                    {"name": "secret", "type": ["string", "null"]}]}]}},
                {"name": "tags", "type": {"type": "array", "items": "bytes"}},
                {"name": "choice", "type": ["null", "int", "bytes"]}
              ]}
              """);

  static final List<FieldPath> TARGETS =
      List.of(
          FieldPath.parse("card.number"),
          FieldPath.parse("items[].secret"),
          FieldPath.parse("tags[]"));
  static final List<FieldPath> REFS = List.of(FieldPath.parse("tenant"), FieldPath.parse("level"));

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static GenericRecord doc(String tenant, String card, List<String> secrets, List<String> tags) {
    Schema cardSchema = SCHEMA.getField("card").schema().getTypes().get(1);
    Schema itemSchema = SCHEMA.getField("items").schema().getElementType().getTypes().get(1);
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("tenant", tenant);
    r.put("level", 7);
    if (card != null) {
      GenericData.Record c = new GenericData.Record(cardSchema);
      c.put("number", ByteBuffer.wrap(b(card)));
      r.put("card", c);
    }
    GenericData.Array<Object> items =
        new GenericData.Array<>(secrets.size(), SCHEMA.getField("items").schema());
    for (String s : secrets) {
      if (s == null) {
        items.add(null);
      } else {
        GenericData.Record it = new GenericData.Record(itemSchema);
        it.put("secret", s.equals("<null>") ? null : new Utf8(Base64.getEncoder().encode(b(s))));
        items.add(it);
      }
    }
    r.put("items", items);
    GenericData.Array<Object> t =
        new GenericData.Array<>(tags.size(), SCHEMA.getField("tags").schema());
    for (String s : tags) {
      t.add(ByteBuffer.wrap(b(s)));
    }
    r.put("tags", t);
    return r;
  }

  static RecordAccessor<GenericRecord> accessor() {
    return AvroRecords.of(SCHEMA).compile(TARGETS, REFS);
  }

  @Test
  void scan_findsEveryCiphertextInFieldOrder_decodingEachEncoding() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan(doc("acme", "c1", List.of("s1", "s2"), List.of("t1")), v);
    assertThat(v.size(), is(4));
    assertThat(new String(v.ciphertext(0), StandardCharsets.UTF_8), equalTo("c1"));
    assertThat(v.target(0), is(0));
    assertThat(new String(v.ciphertext(1), StandardCharsets.UTF_8), equalTo("s1"));
    assertThat(new String(v.ciphertext(2), StandardCharsets.UTF_8), equalTo("s2"));
    assertThat(v.target(2), is(1));
    assertThat(new String(v.ciphertext(3), StandardCharsets.UTF_8), equalTo("t1"));
    assertThat(v.target(3), is(2));
    assertThat(v.reference(0), equalTo("acme"));
    assertThat(v.reference(1), equalTo("7"));
  }

  @Test
  void scan_countsNullRecordNullElementAndNullLeaf_asNulls() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan(doc(null, null, Arrays.asList("s1", null, "<null>"), List.of()), v);
    assertThat(v.size(), is(1));
    assertThat(v.nulls(), is(3)); // card (1 path below), a null item, a null secret
    assertThat(v.reference(0), nullValue());
  }

  @Test
  void rewrite_replacesOnlyTheCiphertexts_inTheirOwnEncoding_andLeavesTheInputUnchanged()
      throws Exception {
    GenericRecord in = doc("acme", "c1", List.of("s1", "s2"), List.of("t1"));
    AvroCoder<GenericRecord> coder = AvroCoder.of(SCHEMA);
    byte[] before = CoderUtils.encodeToByteArray(coder, in);
    RecordAccessor<GenericRecord> a = accessor();
    RecordView v = new RecordView();
    a.scan(in, v);

    GenericRecord out = a.rewrite(in, v, new byte[][] {b("C1"), null, b("S2"), b("T1")});

    assertThat(CoderUtils.encodeToByteArray(coder, in), equalTo(before));
    assertThat(out, not(sameInstance(in)));
    assertThat(((GenericRecord) out.get("card")).get("number"), equalTo(ByteBuffer.wrap(b("C1"))));
    List<?> items = (List<?>) out.get("items");
    assertThat(
        ((GenericRecord) items.get(0)).get("secret"),
        sameInstance(((GenericRecord) ((List<?>) in.get("items")).get(0)).get("secret")));
    assertThat(
        ((GenericRecord) items.get(1)).get("secret").toString(),
        equalTo(Base64.getEncoder().encodeToString(b("S2"))));
    assertThat(((List<?>) out.get("tags")).get(0), equalTo(ByteBuffer.wrap(b("T1"))));
    assertThat(out.get("tenant"), equalTo(in.get("tenant")));
    assertThat(out.get("level"), equalTo(7));
    // The rebuilt record encodes under the same schema.
    assertThat(
        CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, out)),
        equalTo(out));
  }

  @Test
  void rewrite_withNothingReplaced_returnsTheInputItself() throws FieldException {
    GenericRecord in = doc("acme", "c1", List.of("s1"), List.of());
    RecordAccessor<GenericRecord> a = accessor();
    RecordView v = new RecordView();
    a.scan(in, v);
    assertThat(a.rewrite(in, v, new byte[2][]), sameInstance(in));
  }

  @Test
  void scan_invalidBase64String_isInvalidBase64AtThatField() {
    GenericRecord in = doc("acme", "c1", List.of("s1"), List.of());
    GenericRecord item = (GenericRecord) ((List<?>) in.get("items")).get(0);
    item.put("secret", new Utf8("not base64!"));
    FieldException e =
        assertThrows(FieldException.class, () -> accessor().scan(in, new RecordView()));
    assertThat(e.code(), equalTo(ErrorCodes.INVALID_BASE64));
    assertThat(e.fieldPath(), equalTo("items[].secret"));
    assertThat(
        e.getMessage(), equalTo("The string field items[].secret does not hold standard base64"));
  }

  /**
   * Field lists the schema cannot serve: what each is, its ciphertext fields and context
   * references, and the message naming why.
   */
  static Stream<Arguments> refusedFieldLists() {
    return Stream.of(
        Arguments.of(
            "a missing field is refused naming the record and the field",
            List.of(FieldPath.parse("card.cvv")),
            List.of(),
            "Field path card.cvv: record Card has no field cvv"),
        Arguments.of(
            "an int field cannot hold a ciphertext",
            List.of(FieldPath.parse("level")),
            List.of(),
            "Field path level is int; a ciphertext field must be bytes or string (base64), or a"
                + " union of null and one of them"),
        Arguments.of(
            "a union of three branches is refused",
            List.of(FieldPath.parse("choice")),
            List.of(),
            "Field path choice: unions are supported only as [null, T]; found"
                + " [\"null\",\"int\",\"bytes\"]"),
        Arguments.of(
            "a reference to a record is refused",
            TARGETS.subList(0, 1),
            List.of(FieldPath.parse("card")),
            "Field paths overlap at card (a ciphertext field is named twice, is also a context"
                + " reference, or another path goes inside it)"),
        Arguments.of(
            "a reference through an array is refused",
            TARGETS,
            List.of(FieldPath.parse("items[].secret")),
            "Context reference ${items[].secret}: references cannot go through arrays (they name"
                + " one value per record)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedFieldLists")
  void compile_refusesTheFieldList_sayingWhy(
      String what, List<FieldPath> targets, List<FieldPath> references, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AvroRecords.of(SCHEMA).compile(targets, references));
    assertThat(e.getMessage(), equalTo(message));
  }
}
