package io.qkms.pipeline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.transform.FieldRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

  @Test
  void unknownSetting_isRefusedListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobSpec.parse("destinationKey: alias/x\n", false, "spec.yaml"));
    assertThat(
        e.getMessage(),
        equalTo(
            "The job spec spec.yaml has an unknown setting 'destinationKey' (known:"
                + " destinationEncryptionContext, destinationKeyId, fields, grantTokens,"
                + " sourceEncryptionContext, sourceKeyId)"));
  }

  @Test
  void contextWithANestedObject_isRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobSpec.parse("sourceEncryptionContext: {a: {b: c}}\n", false, "spec.yaml"));
    assertThat(
        e.getMessage(), equalTo("sourceEncryptionContext: the value of 'a' must be a string"));
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
