package io.qkms.engine.api.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model's builders (generated): every member may be left out, as in a request on the wire, and
 * what is set reaches the record, collections copied.
 */
class ModelBuildersTest {
  static Stream<Record> builtWithNothingSet() {
    return Stream.of(
        CreateGrantRequest.builder().build(),
        CreateKeyRequest.builder().build(),
        DecryptRequest.builder().build(),
        EncryptRequest.builder().build(),
        GenerateDataKeyRequest.builder().build(),
        KeyMetadata.builder().build(),
        ReEncryptRequest.builder().build());
  }

  @ParameterizedTest
  @MethodSource("builtWithNothingSet")
  void aMemberNotSet_isAbsent(Record r) throws ReflectiveOperationException {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      assertThat(c.getName(), c.getAccessor().invoke(r), is(nullValue()));
    }
  }

  @Test
  void whatIsSet_reachesTheRecord_collectionsCopied() {
    List<String> tokens = new ArrayList<>(List.of("t1"));
    ReEncryptRequest r =
        ReEncryptRequest.builder()
            .ciphertextBlob(new byte[] {1, 2})
            .sourceKeyId("alias/old")
            .destinationKeyId("alias/new")
            .sourceEncryptionContext(Map.of("tenant", "a"))
            .grantTokens(tokens)
            .dryRun(true)
            .build();
    tokens.add("t2");
    assertThat(r.ciphertextBlob().length, is(2));
    assertThat(r.sourceKeyId(), equalTo("alias/old"));
    assertThat(r.destinationKeyId(), equalTo("alias/new"));
    assertThat(r.sourceEncryptionContext(), equalTo(Map.of("tenant", "a")));
    assertThat(r.grantTokens(), contains("t1"));
    assertThat(r.dryRun(), is(true));
    assertThat(r.destinationEncryptionContext(), is(nullValue()));
  }
}
