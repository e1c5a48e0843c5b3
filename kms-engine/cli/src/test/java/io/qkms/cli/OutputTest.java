package io.qkms.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Responses print as the AWS CLI v2 prints them. */
class OutputTest {
  private static final String LIST_KEYS =
      "{\"Keys\":[{\"KeyId\":\"k1\",\"KeyArn\":\"arn1\"},{\"KeyId\":\"k2\",\"KeyArn\":\"arn2\"}],"
          + "\"Truncated\":false}";

  @Test
  void json_isIndentedByFourSpacesWithColonSpace() {
    assertThat(
        render(Output.Format.JSON, null, "{\"A\":{\"B\":1,\"C\":[\"x\"]},\"D\":[],\"E\":{}}"),
        equalTo(
            "{\n    \"A\": {\n        \"B\": 1,\n        \"C\": [\n            \"x\"\n        ]\n"
                + "    },\n    \"D\": [],\n    \"E\": {}\n}"));
  }

  @Test
  void json_dateMembers_areIso8601() {
    assertThat(
        render(Output.Format.JSON, null, "{\"CreationDate\":1767225600.000,\"Count\":5}"),
        equalTo("{\n    \"CreationDate\": \"2026-01-01T00:00:00+00:00\",\n    \"Count\": 5\n}"));
  }

  @Test
  void iso_withMilliseconds_showsMicroseconds() {
    assertThat(
        Output.iso(new BigDecimal("1767225600.123")), equalTo("2026-01-01T00:00:00.123000+00:00"));
  }

  @Test
  void queryTopLevelMember_asText_isTheBareValue() {
    assertThat(
        render(
            Output.Format.TEXT, "CiphertextBlob", "{\"CiphertextBlob\":\"UQEB\",\"KeyId\":\"a\"}"),
        equalTo("UQEB"));
  }

  @Test
  void queryNestedMember_asText_isTheBareValue() {
    assertThat(
        render(Output.Format.TEXT, "KeyMetadata.KeyId", "{\"KeyMetadata\":{\"KeyId\":\"k1\"}}"),
        equalTo("k1"));
  }

  @Test
  void queryAbsentMember_asJson_isNull() {
    assertThat(render(Output.Format.JSON, "Nope", LIST_KEYS), equalTo("null"));
  }

  @Test
  void queryAbsentMember_asText_isNone() {
    assertThat(render(Output.Format.TEXT, "Nope", LIST_KEYS), equalTo("None"));
  }

  @Test
  void text_listOfObjects_isOneLinePerObjectUnderTheMemberName() {
    assertThat(
        render(Output.Format.TEXT, null, LIST_KEYS),
        equalTo("False\nKEYS\tk1\tarn1\nKEYS\tk2\tarn2"));
  }

  @Test
  void queryBeyondMemberPaths_isUsageError() {
    UsageException e =
        assertThrows(UsageException.class, () -> new Output(Output.Format.JSON, "Keys[0].KeyId"));

    assertThat(
        e.getMessage(),
        equalTo(
            "--query supports a member name or a path of them, e.g. --query CiphertextBlob or"
                + " --query KeyMetadata.KeyId"));
  }

  @Test
  void emptyBody_printsNothing() {
    assertThat(new Output(Output.Format.JSON, null).render(new byte[0]), equalTo(""));
  }

  @Test
  void errorLine_isOneLineOfJson() {
    assertThat(
        Output.errorLine(
            "{\"__type\":\"DisabledException\",\"message\":\"k is \\\"disabled\\\".\"}"
                .getBytes(StandardCharsets.UTF_8)),
        equalTo("{\"__type\": \"DisabledException\", \"message\": \"k is \\\"disabled\\\".\"}"));
  }

  @Test
  void format_unknown_isUsageError() {
    UsageException e = assertThrows(UsageException.class, () -> Output.Format.parse("yaml"));

    assertThat(e.getMessage(), equalTo("Invalid value for --output: 'yaml' (json or text)"));
  }

  private static String render(Output.Format format, String query, String json) {
    return new Output(format, query).render(json.getBytes(StandardCharsets.UTF_8));
  }
}
