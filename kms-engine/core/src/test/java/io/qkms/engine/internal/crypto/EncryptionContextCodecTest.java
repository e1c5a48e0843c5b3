package io.qkms.engine.internal.crypto;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The canonical context encoding: u16 count, entries sorted by the UTF-8 bytes of their keys, each
 * u16 length + key, u16 length + value (the AWS Encryption SDK's serializer). Expected bytes below
 * are written by hand from that rule.
 */
class EncryptionContextCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static String hex(Map<String, String> context) {
    return HEX.formatHex(EncryptionContextCodec.encode(context));
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void encode_knownContext_isTheSpecifiedBytes() {
    String expected =
        "0002" // two entries
            + "000a"
            + "4465706172746d656e74" // "Department"
            + "0007"
            + "46696e616e6365" // "Finance"
            + "0007"
            + "507572706f7365" // "Purpose"
            + "0004"
            + "54657374"; // "Test"
    assertThat(hex(ordered("Purpose", "Test", "Department", "Finance")), equalTo(expected));
  }

  @Test
  void encode_singleEntry_isTheSpecifiedBytes() {
    assertThat(hex(Map.of("a", "bc")), equalTo("0001" + "0001" + "61" + "0002" + "6263"));
  }

  @Test
  void encode_emptyValue_isEncodedWithZeroLength() {
    assertThat(hex(Map.of("k", "")), equalTo("0001" + "0001" + "6b" + "0000"));
  }

  @Test
  void encode_keyAbValueC_differsFromKeyAValueBc() {
    assertThat(hex(Map.of("ab", "c")), equalTo("0001" + "0002" + "6162" + "0001" + "63"));
    assertThat(hex(Map.of("ab", "c")), not(equalTo(hex(Map.of("a", "bc")))));
  }

  @Test
  void encode_entryBoundaryShift_differs() {
    // Concatenating keys and values would make these two equal ("abcd").
    assertThat(hex(Map.of("a", "b", "c", "d")), not(equalTo(hex(Map.of("a", "bcd")))));
  }

  @Test
  void encode_insertionOrder_doesNotMatter() {
    Map<String, String> one = ordered("b", "1", "a", "2", "c", "3");
    Map<String, String> two = ordered("c", "3", "a", "2", "b", "1");
    assertThat(hex(one), equalTo(hex(two)));
    assertThat(
        hex(one),
        equalTo("0003" + "000161" + "000132" + "000162" + "000131" + "000163" + "000133"));
  }

  @Test
  void encode_emptyMap_equalsNull() {
    assertThat(hex(Map.of()), equalTo("0000"));
    assertThat(hex(null), equalTo("0000"));
  }

  /**
   * U+FF61 is EF BD A1 in UTF-8 and U+1F600 is F0 9F 98 80, so U+FF61 sorts first by bytes; as
   * UTF-16 (what String.compareTo uses) the surrogate D83D comes before FF61.
   */
  @Test
  void encode_sortsByUtf8BytesNotUtf16Units() {
    String halfwidth = "\uFF61";
    String emoji = "\uD83D\uDE00";
    assertThat(emoji.compareTo(halfwidth), lessThan(0));
    String expected =
        "0002" + "0003" + "efbda1" + "0001" + "61" + "0004" + "f09f9880" + "0001" + "62";
    assertThat(hex(ordered(emoji, "b", halfwidth, "a")), equalTo(expected));
    assertThat(hex(ordered(halfwidth, "a", emoji, "b")), equalTo(expected));
  }

  @Test
  void encode_keysSortedAsUnsignedBytes() {
    // 'é' is C3 A9: as signed bytes it would sort before 'z' (7A).
    assertThat(
        hex(ordered("\u00e9", "1", "z", "2")),
        equalTo("0002" + "0001" + "7a" + "000132" + "0002" + "c3a9" + "000131"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\uD83D", "a\uD83D", "\uDE00", "\uDE00\uD83D", "\uD83Dx"})
  void encode_unpairedSurrogateInKey_isRejected(String key) {
    assertRefused(
        () -> EncryptionContextCodec.encode(Map.of(key, "v")),
        "Encryption context strings must be valid Unicode text");
  }

  @Test
  void encode_unpairedSurrogateInValue_isRejected() {
    assertRefused(
        () -> EncryptionContextCodec.encode(Map.of("k", "x\uDE00")),
        "Encryption context strings must be valid Unicode text");
  }

  @Test
  void encode_keyOf65535Bytes_isAccepted() {
    byte[] encoded = EncryptionContextCodec.encode(Map.of("k".repeat(65535), "v"));
    assertThat(encoded.length, equalTo(2 + 2 + 65535 + 2 + 1));
    assertThat(HEX.formatHex(encoded, 0, 4), equalTo("0001ffff"));
  }

  @Test
  void encode_keyOf65536Bytes_isRejected() {
    assertRefused(
        () -> EncryptionContextCodec.encode(Map.of("k".repeat(65536), "v")),
        "Encryption context entry too long");
  }

  @Test
  void encode_valueOver65535Utf8Bytes_isRejectedAlthoughFewerChars() {
    String value = "\u20ac".repeat(21846); // 21,846 chars, 65,538 UTF-8 bytes
    assertRefused(
        () -> EncryptionContextCodec.encode(Map.of("k", value)),
        "Encryption context entry too long");
  }

  @Test
  void encode_nullValue_isRejected() {
    Map<String, String> m = new HashMap<>();
    m.put("k", null);
    assertRefused(
        () -> EncryptionContextCodec.encode(m),
        "Encryption context keys and values must not be null");
  }
}
