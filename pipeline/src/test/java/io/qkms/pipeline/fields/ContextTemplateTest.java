package io.qkms.pipeline.fields;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.pipeline.deadletter.ErrorCodes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContextTemplateTest {
  private static final List<FieldPath> REFS =
      List.of(FieldPath.parse("tenant_id"), FieldPath.parse("meta.region"));

  private static RecordView view(String tenant, String region) {
    RecordView v = new RecordView();
    v.reset(2);
    v.references[0] = tenant;
    v.references[1] = region;
    return v;
  }

  @Test
  void constantTemplate_resolvesToTheSameMapEveryTime() throws FieldException {
    ContextTemplate.Resolver r = ContextTemplate.of(Map.of("table", "orders")).bind(REFS);
    Map<String, String> first = r.resolve(view("t1", "eu"));
    assertThat(first, equalTo(Map.of("table", "orders")));
    assertThat(r.resolve(view("t2", "us")), sameInstance(first));
  }

  @Test
  void emptyTemplate_resolvesToNoContext() throws FieldException {
    assertThat(ContextTemplate.empty().bind(REFS).resolve(view("t", "r")), nullValue());
  }

  @Test
  void references_areReplacedByTheRecordsValues_inTextToo() throws FieldException {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("tenant", "${tenant_id}");
    t.put("where", "r-${meta.region}/${tenant_id}");
    t.put("cost", "$$5");
    ContextTemplate template = ContextTemplate.of(t);
    assertThat(template.references(), contains(REFS.get(0), REFS.get(1)));
    assertThat(
        template.bind(REFS).resolve(view("acme", "eu")),
        equalTo(Map.of("tenant", "acme", "where", "r-eu/acme", "cost", "$5")));
  }

  @Test
  void missingReferencedField_isContextFieldMissing_namingKeyAndField() {
    ContextTemplate.Resolver r = ContextTemplate.of(Map.of("tenant", "${tenant_id}")).bind(REFS);
    FieldException e = assertThrows(FieldException.class, () -> r.resolve(view(null, "eu")));
    assertThat(e.code(), equalTo(ErrorCodes.CONTEXT_FIELD_MISSING));
    assertThat(e.fieldPath(), equalTo("tenant_id"));
    assertThat(
        e.getMessage(),
        equalTo(
            "Context key 'tenant' refers to ${tenant_id}, which is null or absent in this record"));
  }

  @Test
  void objectReferencedField_isContextFieldInvalid() {
    ContextTemplate.Resolver r = ContextTemplate.of(Map.of("tenant", "${tenant_id}")).bind(REFS);
    RecordView v = view(null, "eu");
    v.invalidReferences[0] = "tenant_id is a JSON object";
    FieldException e = assertThrows(FieldException.class, () -> r.resolve(v));
    assertThat(e.code(), equalTo(ErrorCodes.CONTEXT_FIELD_INVALID));
    assertThat(
        e.getMessage(),
        equalTo(
            "Context key 'tenant' refers to ${tenant_id}, which cannot be context text: tenant_id"
                + " is a JSON object"));
  }

  @Test
  void unclosedReference_isRejectedNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ContextTemplate.of(Map.of("t", "${tenant")));
    assertThat(
        e.getMessage(), equalTo("Context key 't': '${' without a closing '}' in \"${tenant\""));
  }

  @Test
  void lonelyDollar_isLiteral() throws FieldException {
    assertThat(
        ContextTemplate.of(Map.of("price", "5$")).bind(REFS).resolve(view("a", "b")),
        equalTo(Map.of("price", "5$")));
    assertThat(ContextTemplate.of(Map.of("price", "5$")).references().isEmpty(), is(true));
  }
}
