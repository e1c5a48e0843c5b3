package io.qkms.pipeline.fields;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.deadletter.ErrorCodes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonLineAccessorTest {
  static final List<FieldPath> TARGETS =
      List.of(
          FieldPath.parse("card.number"),
          FieldPath.parse("items[].secret"),
          FieldPath.parse("tags[]"));
  static final List<FieldPath> REFS =
      List.of(FieldPath.parse("tenant"), FieldPath.parse("meta.n"), FieldPath.parse("meta.ok"));

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static RecordAccessor<String> accessor() {
    return JsonLines.create().compile(TARGETS, REFS);
  }

  static final String LINE =
      "{ \"tenant\":\"acme\", \"meta\":{\"n\":1.50,\"ok\":true}, \"card\":{\"number\":\""
          + b64("c1")
          + "\",\"x\":[1,2]}, \"other\":{\"deep\":[{\"a\":\"b\"}]},\"items\":[{\"secret\":\""
          + b64("s1")
          + "\"},null,{\"secret\":null}], \"tags\":[\""
          + b64("t1")
          + "\"] }";

  @Test
  void scan_findsCiphertextsInDocumentOrder_andReferenceTexts() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan(LINE, v);
    assertThat(v.size(), is(3));
    assertThat(new String(v.ciphertext(0), StandardCharsets.UTF_8), equalTo("c1"));
    assertThat(new String(v.ciphertext(1), StandardCharsets.UTF_8), equalTo("s1"));
    assertThat(new String(v.ciphertext(2), StandardCharsets.UTF_8), equalTo("t1"));
    assertThat(v.nulls(), is(2)); // a null item and a null secret
    assertThat(v.reference(0), equalTo("acme"));
    assertThat(v.reference(1), equalTo("1.50"));
    assertThat(v.reference(2), equalTo("true"));
  }

  @Test
  void rewrite_splicesTheNewCiphertextsIntoTheOriginalText() throws FieldException {
    RecordAccessor<String> a = accessor();
    RecordView v = new RecordView();
    a.scan(LINE, v);
    String out =
        a.rewrite(
            LINE,
            v,
            new byte[][] {
              "C1".getBytes(StandardCharsets.UTF_8), null, "T1".getBytes(StandardCharsets.UTF_8)
            });
    assertThat(out, equalTo(LINE.replace(b64("c1"), b64("C1")).replace(b64("t1"), b64("T1"))));
  }

  @Test
  void rewrite_withNothingReplaced_returnsTheLineItself() throws FieldException {
    RecordAccessor<String> a = accessor();
    RecordView v = new RecordView();
    a.scan(LINE, v);
    assertThat(a.rewrite(LINE, v, new byte[3][]), sameInstance(LINE));
  }

  @Test
  void scan_absentFields_countAsNulls_andAbsentReferencesAreNull() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan("{\"id\":1}", v);
    assertThat(v.size(), is(0));
    assertThat(v.nulls(), is(3)); // card.number, items (one path below), tags
    assertThat(v.reference(0), nullValue());
  }

  @Test
  void scan_brokenJson_isMalformedRecord_withoutQuotingTheLine() {
    FieldException e =
        assertThrows(
            FieldException.class,
            () -> accessor().scan("{\"card\":{\"number\":\"secret-ish", new RecordView()));
    assertThat(e.code(), equalTo(ErrorCodes.MALFORMED_RECORD));
    assertThat(e.fieldPath(), nullValue());
    assertThat(e.getMessage().contains("secret-ish"), is(false));
  }

  @Test
  void scan_objectAsReference_isMarkedInvalid() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan("{\"tenant\":{\"a\":1}}", v);
    assertThat(v.reference(0), nullValue());
    assertThat(v.invalidReference(0), equalTo("tenant is a JSON object"));
  }

  @Test
  void scan_escapedSlashInBase64_isDecoded_andTheWholeTokenReplaced() throws FieldException {
    String raw = b64("???"); // "Pz8/": has a slash
    String line = "{\"card\":{\"number\":\"" + raw.replace("/", "\\/") + "\"}}";
    RecordAccessor<String> a = accessor();
    RecordView v = new RecordView();
    a.scan(line, v);
    assertThat(new String(v.ciphertext(0), StandardCharsets.UTF_8), equalTo("???"));
    assertThat(
        a.rewrite(line, v, new byte[][] {"x".getBytes(StandardCharsets.UTF_8)}),
        equalTo("{\"card\":{\"number\":\"" + b64("x") + "\"}}"));
  }

  // ---- what a reader could take two ways, limits, bytes that are not UTF-8 ---------------

  static FieldException scanFails(String line) {
    return assertThrows(FieldException.class, () -> accessor().scan(line, new RecordView()));
  }

  /** Lines the scan refuses: what each is, the line, and the error's code, field and message. */
  static Stream<Arguments> refusedLines() {
    return Stream.of(
        Arguments.of(
            "an invalid base64 string is InvalidBase64 at that field",
            "{\"items\":[{\"secret\":\"not base64!\"}]}",
            ErrorCodes.INVALID_BASE64,
            "items[].secret",
            equalTo("The string field items[].secret does not hold standard base64")),
        Arguments.of(
            "a number in a ciphertext field is InvalidFieldType",
            "{\"card\":{\"number\":42}}",
            ErrorCodes.INVALID_FIELD_TYPE,
            "card.number",
            equalTo("The field card.number holds a number; expected a base64 string or null")),
        Arguments.of(
            "an array is a malformed record",
            "[1]",
            ErrorCodes.MALFORMED_RECORD,
            null,
            equalTo("Malformed record: the line is not a JSON object")),
        Arguments.of(
            "text after the object is a malformed record",
            "{} {}",
            ErrorCodes.MALFORMED_RECORD,
            null,
            equalTo("Malformed record: the line has more after its JSON object")),
        Arguments.of(
            "a ciphertext field twice is DuplicateField",
            "{\"card\":{\"number\":\"" + b64("a") + "\",\"number\":\"" + b64("b") + "\"}}",
            ErrorCodes.DUPLICATE_FIELD,
            "card.number",
            equalTo(
                "The field card.number appears twice in one object: which one counts is ambiguous,"
                    + " so neither is used")),
        Arguments.of(
            "a context reference twice is DuplicateField",
            "{\"tenant\":\"acme\",\"x\":1,\"tenant\":\"evil\"}",
            ErrorCodes.DUPLICATE_FIELD,
            "tenant",
            equalTo(
                "The field tenant appears twice in one object: which one counts is ambiguous, so neither"
                    + " is used")),
        Arguments.of(
            "an object on a path twice is DuplicateField, even null",
            "{\"card\":null,\"card\":{\"number\":null}}",
            ErrorCodes.DUPLICATE_FIELD,
            "card",
            equalTo(
                "The field card appears twice in one object: which one counts is ambiguous, so neither"
                    + " is used")),
        Arguments.of(
            "nesting beyond the parser's limit says which limit",
            "{\"other\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
            ErrorCodes.JSON_LIMIT_EXCEEDED,
            null,
            equalTo(
                "The line exceeds a limit of the JSON parser: Depth (1001) exceeds the maximum"
                    + " allowed nesting depth (1000)")),
        Arguments.of(
            "a string beyond the parser's limit in a ciphertext field says which limit, not the"
                + " value",
            "{\"card\":{\"number\":\"" + "QUJD".repeat(5_250_000) + "\"}}", // 21,000,000 chars
            ErrorCodes.JSON_LIMIT_EXCEEDED,
            null,
            matchesPattern(
                "The line exceeds a limit of the JSON parser: String length \\(\\d+\\) exceeds the"
                    + " maximum length \\(20000000\\)")),
        Arguments.of(
            "a number beyond the parser's limit says which limit, not the value",
            "{\"other\":" + "9".repeat(1001) + "}",
            ErrorCodes.JSON_LIMIT_EXCEEDED,
            null,
            allOf(
                startsWith(
                    "The line exceeds a limit of the JSON parser: Number length (1001) exceeds the"
                        + " maximum length (1000)"),
                not(containsString("99999")))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedLines")
  void scan_refusesTheLine_withTheCodeFieldAndMessage(
      String what, String line, String code, String fieldPath, Matcher<String> message) {
    FieldException e = scanFails(line);
    assertThat(e.code(), equalTo(code));
    assertThat(e.fieldPath(), equalTo(fieldPath));
    assertThat(e.getMessage(), message);
  }

  @Test
  void scan_duplicatesTheJobDoesNotRead_orInSeparateArrayElements_areFine() throws FieldException {
    RecordView v = new RecordView();
    accessor()
        .scan(
            "{\"x\":1,\"x\":2,\"items\":[{\"secret\":\""
                + b64("s1")
                + "\"},{\"secret\":\""
                + b64("s2")
                + "\"}]}",
            v);
    assertThat(v.size(), is(2));
  }

  @Test
  void scan_aHugeStringTheJobDoesNotRead_passesThrough() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan("{\"other\":\"" + "x".repeat(21_000_000) + "\",\"tenant\":\"acme\"}", v);
    assertThat(v.reference(0), equalTo("acme"));
  }

  @Test
  void scan_aReferenceHoldingBytesThatAreNotUtf8_isMarkedInvalid() throws FieldException {
    RecordView v = new RecordView();
    accessor().scan("{\"tenant\":\"acm\uDCE9\"}", v); // the byte 0xE9, read losslessly
    assertThat(v.reference(0), nullValue());
    assertThat(
        v.invalidReference(0),
        equalTo("tenant holds bytes that are not UTF-8 (or a lone surrogate escape)"));
  }

  @Test
  void rewrite_keepsBytesThatAreNotUtf8_inFieldsItDoesNotTouch() throws FieldException {
    String line = "{\"name\":\"Jos\uDCE9\",\"card\":{\"number\":\"" + b64("c1") + "\"}}\r";
    RecordAccessor<String> a = accessor();
    RecordView v = new RecordView();
    a.scan(line, v);
    assertThat(
        a.rewrite(line, v, new byte[][] {"C1".getBytes(StandardCharsets.UTF_8)}),
        equalTo(line.replace(b64("c1"), b64("C1"))));
  }
}
