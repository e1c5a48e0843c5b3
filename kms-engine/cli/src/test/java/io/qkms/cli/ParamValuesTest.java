package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.cli.ParamValues.BinaryFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option values become request JSON as the AWS CLI reads them. */
class ParamValuesTest {
  @TempDir Path dir;

  @Test
  void stringMap_shorthand_isAnObjectOfStrings() {
    assertThat(
        ParamValues.stringMap("--encryption-context", "Department=Finance,Purpose=Test").toString(),
        equalTo("{\"Department\":\"Finance\",\"Purpose\":\"Test\"}"));
  }

  @Test
  void stringMap_json_isTakenAsItIs() {
    assertThat(
        ParamValues.stringMap("--encryption-context", "{\"a,b\": \"c=d\"}").toString(),
        equalTo("{\"a,b\":\"c=d\"}"));
  }

  @Test
  void stringMap_shorthandValueWithEqualsSign_keepsIt() {
    assertThat(
        ParamValues.stringMap("--encryption-context", "token=abc==").toString(),
        equalTo("{\"token\":\"abc==\"}"));
  }

  @Test
  void stringMap_quotedShorthandValue_keepsCommas() {
    assertThat(
        ParamValues.stringMap("--encryption-context", "list=\"a,b\",k='x}y'").toString(),
        equalTo("{\"list\":\"a,b\",\"k\":\"x}y\"}"));
  }

  @Test
  void stringMap_fromFile_isReadAsText() throws IOException {
    Path f = dir.resolve("ctx.json");
    Files.writeString(f, "{\"Department\": \"Finance\"}\n");

    assertThat(
        ParamValues.stringMap("--encryption-context", "file://" + f).toString(),
        equalTo("{\"Department\":\"Finance\"}"));
  }

  @Test
  void stringMap_nonStringJsonValue_isUsageError() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> ParamValues.stringMap("--encryption-context", "{\"n\": 1}"));

    assertThat(
        e.getMessage(),
        equalTo("Invalid value for --encryption-context: the value of 'n' must be a string"));
  }

  @Test
  void stringMap_withoutEqualsSign_isUsageError() {
    UsageException e =
        assertThrows(
            UsageException.class, () -> ParamValues.stringMap("--encryption-context", "Finance"));

    assertThat(
        e.getMessage(),
        equalTo(
            "Error parsing parameter '--encryption-context': expected key=value at position 7"
                + " (use key=value,key2=value2, or JSON)"));
  }

  @Test
  void stringMap_sameKeyTwice_isUsageError() {
    UsageException e =
        assertThrows(UsageException.class, () -> ParamValues.stringMap("--x", "a=1,a=2"));

    assertThat(
        e.getMessage(),
        equalTo(
            "Error parsing parameter '--x': 'a' given twice at position 6 (use"
                + " key=value,key2=value2, or JSON)"));
  }

  @Test
  void blob_base64_isKept() {
    assertThat(
        ParamValues.blob("--plaintext", "aGVsbG8=", BinaryFormat.BASE64), equalTo("aGVsbG8="));
  }

  @Test
  void blob_rawInBase64Out_encodesTheTextsUtf8Bytes() {
    assertThat(
        ParamValues.blob("--plaintext", "héllo", BinaryFormat.RAW_IN_BASE64_OUT),
        equalTo("aMOpbGxv"));
  }

  @Test
  void blob_filebUrl_readsRawBytes() throws IOException {
    Path f = dir.resolve("data.bin");
    Files.write(f, new byte[] {0, (byte) 0xFF, 10});

    assertThat(
        ParamValues.blob("--ciphertext-blob", "fileb://" + f, BinaryFormat.BASE64),
        equalTo("AP8K"));
  }

  @Test
  void blob_fileUrl_readsBase64Text() throws IOException {
    Path f = dir.resolve("data.b64");
    Files.writeString(f, "aGVsbG8=\n");

    assertThat(
        ParamValues.blob("--plaintext", "file://" + f, BinaryFormat.BASE64), equalTo("aGVsbG8="));
  }

  @Test
  void blob_invalidBase64_isUsageErrorThatDoesNotEchoTheValue() {
    UsageException e =
        assertThrows(
            UsageException.class,
            () -> ParamValues.blob("--plaintext", "my secret!", BinaryFormat.BASE64));

    assertThat(
        e.getMessage(),
        equalTo(
            "Invalid base64 in --plaintext (give raw bytes with fileb://FILE, or raw text with"
                + " --cli-binary-format raw-in-base64-out)"));
    assertThat(e.getMessage(), not(containsString("my secret")));
  }

  @Test
  void missingParamFile_isUsageError() {
    Path missing = dir.resolve("missing.json");

    UsageException e =
        assertThrows(UsageException.class, () -> ParamValues.text("--policy", "file://" + missing));

    assertThat(
        e.getMessage(),
        equalTo(
            "Error parsing parameter '--policy': Unable to load paramfile "
                + missing
                + ": No such file"));
  }

  @Test
  void stringList_spacesCommasAndJson_allMakeOneList() {
    assertThat(
        ParamValues.stringList(
                "--operations", List.of("Encrypt", "Decrypt,ReEncryptFrom", "[\"ReEncryptTo\"]"))
            .toString(),
        equalTo("[\"Encrypt\",\"Decrypt\",\"ReEncryptFrom\",\"ReEncryptTo\"]"));
  }

  @Test
  void structure_nestedShorthand_isAnObjectOfObjects() {
    assertThat(
        ParamValues.structure(
                "--constraints",
                "EncryptionContextSubset={Department=IT,Team=a},EncryptionContextEquals={x=y}")
            .toString(),
        equalTo(
            "{\"EncryptionContextSubset\":{\"Department\":\"IT\",\"Team\":\"a\"},"
                + "\"EncryptionContextEquals\":{\"x\":\"y\"}}"));
  }

  @Test
  void structureList_oneShorthandPerTag_isAListOfTags() {
    assertThat(
        ParamValues.structureList(
                "--tags", List.of("TagKey=team,TagValue=a", "TagKey=env,TagValue=b"))
            .toString(),
        equalTo(
            "[{\"TagKey\":\"team\",\"TagValue\":\"a\"},{\"TagKey\":\"env\",\"TagValue\":\"b\"}]"));
  }

  @Test
  void integer_notANumber_isUsageError() {
    UsageException e =
        assertThrows(UsageException.class, () -> ParamValues.integer("--limit", "ten"));

    assertThat(e.getMessage(), equalTo("Invalid value for --limit: 'ten' is not an integer"));
  }

  @Test
  void inputJson_notAnObject_isUsageError() {
    UsageException e = assertThrows(UsageException.class, () -> ParamValues.inputJson("[1]"));

    assertThat(e.getMessage(), equalTo("Invalid JSON in --cli-input-json: expected a JSON object"));
  }

  @Test
  void inputJson_malformed_isUsageErrorWithItsPosition() {
    UsageException e =
        assertThrows(UsageException.class, () -> ParamValues.inputJson("{\"KeyId\": }"));

    assertThat(e.getMessage(), equalTo("Invalid JSON in --cli-input-json near line 1, column 12"));
  }

  @Test
  void text_fileUrl_keepsTheFileExactly() throws IOException {
    Path f = dir.resolve("policy.json");
    Files.write(f, "{\n  \"Version\": \"2012-10-17\"\n}\n".getBytes(StandardCharsets.UTF_8));

    assertThat(
        ParamValues.text("--policy", "file://" + f),
        equalTo("{\n  \"Version\": \"2012-10-17\"\n}\n"));
  }
}
