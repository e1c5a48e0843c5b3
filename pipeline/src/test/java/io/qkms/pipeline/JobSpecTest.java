package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.transform.FieldRule;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecTest {
  @Test
  void yaml_withDefaultsAndPerFieldSettings_isRead() {
    JobSpec s =
        JobSpec.parse(
            """
            destinationKeyId: alias/new
            sourceEncryptionContext: {tenant: "${tenant_id}", version: 2}
            fields:
              - card.number
              - path: items[].secret
                destinationKeyId: alias/items
                destinationEncryptionContext: {kind: item}
            """,
            false,
            "spec.yaml");
    assertThat(s.destinationKeyId(), equalTo("alias/new"));
    assertThat(
        s.sourceEncryptionContext(), equalTo(Map.of("tenant", "${tenant_id}", "version", "2")));
    assertThat(s.destinationEncryptionContext(), nullValue());
    assertThat(
        s.fields(),
        equalTo(
            List.of(
                FieldRule.of("card.number"),
                FieldRule.of("items[].secret")
                    .withDestinationKeyId("alias/items")
                    .withDestinationEncryptionContext(Map.of("kind", "item")))));
  }

  @Test
  void json_isRead() {
    JobSpec s = JobSpec.parse("{\"fields\":[\"a\"],\"grantTokens\":[\"t\"]}", true, "s.json");
    assertThat(s.fields(), equalTo(List.of(FieldRule.of("a"))));
    assertThat(s.grantTokens(), equalTo(List.of("t")));
  }

  /** YAML specs that are refused: what each is, the spec, and the message naming why. */
  static Stream<Arguments> refusedSpecs() {
    return Stream.of(
        Arguments.of(
            "an unknown setting is refused listing the known ones",
            "destinationKey: alias/x\n",
            "The job spec spec.yaml has an unknown setting 'destinationKey' (known:"
                + " destinationEncryptionContext, destinationKeyId, fields, grantTokens,"
                + " sourceEncryptionContext, sourceKeyId)"),
        Arguments.of(
            "a context with a nested object is refused",
            "sourceEncryptionContext: {a: {b: c}}\n",
            "sourceEncryptionContext: the value of 'a' must be a string"),
        Arguments.of(
            "a spec that is not a mapping is refused",
            "- a\n",
            "The job spec spec.yaml must be an object (a mapping)"),
        Arguments.of(
            "fields that are not a list are refused",
            "fields: card.number\n",
            "The job spec's fields must be a list"),
        Arguments.of(
            "a key that is not a string is refused",
            "destinationKeyId: [a, b]\n",
            "The job spec's destinationKeyId must be a string"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSpecs")
  void aSpecThatCannotServe_isRefusedSayingWhy(String what, String yaml, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobSpec.parse(yaml, false, "spec.yaml"));
    assertThat(e.getMessage(), equalTo(message));
  }

  @Test
  void contextFlag_mustBeAJsonObject() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobSpec.parseContextFlag("tenant=acme", "sourceEncryptionContext"));
    assertThat(
        e.getMessage(),
        equalTo(
            "--sourceEncryptionContext must be a JSON object such as {\"tenant\":\"${tenant_id}\"}"));
  }
}
