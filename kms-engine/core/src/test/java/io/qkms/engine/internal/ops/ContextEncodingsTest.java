package io.qkms.engine.internal.ops;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.internal.crypto.EncryptionContextCodec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Remembered encodings are always the codec's encoding of the context given now. */
class ContextEncodingsTest {
  @Property(tries = 300)
  void aRunOfContexts_eachEncodesAsTheCodecEncodesIt(
      @ForAll("runs") List<Map<String, String>> run) {
    for (Map<String, String> context : run) {
      Map<String, String> fresh = new LinkedHashMap<>(context); // a new map each time, as a job
      assertThat(ContextEncodings.encode(fresh), equalTo(EncryptionContextCodec.encode(context)));
    }
  }

  /** Runs drawn from a few contexts, so that most of a run's contexts were seen just before. */
  @Provide
  Arbitrary<List<Map<String, String>>> runs() {
    Arbitrary<String> strings =
        Arbitraries.of("a", "b", "ab", "tenant", "acme", "é", "\uD83D\uDE00");
    Arbitrary<Map<String, String>> contexts = Arbitraries.maps(strings, strings).ofMaxSize(3);
    return contexts
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .flatMap(pool -> Arbitraries.of(pool).list().ofMinSize(1).ofMaxSize(20));
  }

  @Example
  void aMapChangedAfterItsEncoding_isEncodedAgain() {
    Map<String, String> context = new HashMap<>(Map.of("tenant", "acme"));
    byte[] before = ContextEncodings.encode(context);
    context.put("tenant", "other");
    assertThat(ContextEncodings.encode(context), equalTo(EncryptionContextCodec.encode(context)));
    assertThat(before, equalTo(EncryptionContextCodec.encode(Map.of("tenant", "acme"))));
  }

  @Example
  void aContextTheCodecRefuses_isRefusedEveryTime() {
    Map<String, String> bad = Map.of("tenant", "\uD800");
    assertThrows(IllegalArgumentException.class, () -> ContextEncodings.encode(bad));
    assertThrows(IllegalArgumentException.class, () -> ContextEncodings.encode(bad));
  }

  @Example
  void noContextAndAnEmptyOne_encodeAlike() {
    assertThat(ContextEncodings.encode(null), equalTo(EncryptionContextCodec.encode(null)));
    assertThat(ContextEncodings.encode(Map.of()), equalTo(EncryptionContextCodec.encode(null)));
  }
}
