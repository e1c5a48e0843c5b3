package io.qkms.pipeline.deadletter;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class DeadLetterFilesTest {
  static final String LINE = "{\"id\": 1,  \"ct\":\"QUJD\" }";

  static DeadLetter<String> letter(String record) {
    return new DeadLetter<>(
        record,
        "ct",
        "DisabledException",
        "arn:verenc:111122223333:key/k is disabled.",
        "arn:verenc:111122223333:key/k",
        1,
        Instant.parse("2026-01-02T03:04:05Z"));
  }

  @Test
  void jsonLine_carriesTheOriginalLineExactly_andReplayGetsItBack() {
    String json = DeadLetterFiles.toJsonLine(letter(LINE));
    assertThat(
        json,
        equalTo(
            "{\"time\":\"2026-01-02T03:04:05Z\",\"errorCode\":\"DisabledException\","
                + "\"fieldPath\":\"ct\",\"message\":\"arn:verenc:111122223333:key/k is disabled.\","
                + "\"sourceKeyArn\":\"arn:verenc:111122223333:key/k\",\"attempts\":1,"
                + "\"record\":\"{\\\"id\\\": 1,  \\\"ct\\\":\\\"QUJD\\\" }\"}"));
    assertThat(DeadLetterFiles.recordOfJsonLine(json), equalTo(LINE));
  }

  @Test
  void replayOfALineThatIsNoDeadLetter_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFiles.recordOfJsonLine(LINE));
    assertThat(
        e.getMessage(),
        equalTo("A line of the dead letters is not a QKMS dead letter (no record and errorCode)"));
  }

  @Test
  void avroSchema_wrapsTheRecordSchema_andIsRecognised() {
    Schema record = SchemaBuilder.record("Doc").fields().requiredBytes("ct").endRecord();
    Schema wrapper = DeadLetterFiles.avroSchema(record);
    assertThat(DeadLetterFiles.isDeadLetterSchema(wrapper), equalTo(true));
    assertThat(DeadLetterFiles.recordSchemaOf(wrapper), equalTo(record));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFiles.avroSchema(wrapper));
    assertThat(
        e.getMessage(),
        equalTo(
            "The input records are dead letters themselves: replay them with --replayDeadLetters"));
  }

  @Test
  void coder_roundTripsEveryField() throws Exception {
    DeadLetterCoder<String> coder = DeadLetterCoder.of(StringUtf8Coder.of());
    DeadLetter<String> d = letter(LINE);
    assertThat(
        CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, d)), equalTo(d));
    DeadLetter<String> noKey =
        new DeadLetter<>(LINE, null, "MalformedRecord", "m", null, 0, Instant.EPOCH);
    assertThat(
        CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, noKey)),
        equalTo(noKey));
  }

  @Test
  void jsonLine_ofALineWithBytesThatAreNotUtf8_escapesThem_andReplayGetsTheSameLineBack() {
    // "Jos" + the byte 0xE9, then U+10080 (whose low half looks like an escape, but is paired)
    String line = "{\"n\":\"Jos\uDCE9\",\"u\":\"\uD800\uDC80\"}\r";
    String json = DeadLetterFiles.toJsonLine(letter(line));

    assertThat(
        json.endsWith(
            ",\"record\":\"{\\\"n\\\":\\\"Jos\\udce9\\\",\\\"u\\\":\\\"\uD800\uDC80\\\"}\\r\"}"),
        equalTo(true));
    assertThat(io.qkms.pipeline.read.LosslessUtf8.hasLoneSurrogate(json), equalTo(false));
    assertThat(DeadLetterFiles.recordOfJsonLine(json), equalTo(line));
  }

  @Test
  void replayOfARecordWithALoneSurrogateThatStandsForNoByte_isRefused() {
    String json = DeadLetterFiles.toJsonLine(letter("{}")).replace("\"{}\"", "\"\\ud800\"");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeadLetterFiles.recordOfJsonLine(json));
    assertThat(
        e.getMessage(),
        equalTo(
            "A dead letter's record holds a lone surrogate that stands for no byte (at index 0):"
                + " it is not a line the job read"));
  }

  @Test
  void replayOfARecordBeyondTheParsersStringLimit_getsItBack() {
    String line = "{\"big\":\"" + "x".repeat(21_000_000) + "\"}";
    assertThat(
        DeadLetterFiles.recordOfJsonLine(DeadLetterFiles.toJsonLine(letter(line))), equalTo(line));
  }
}
