package io.qkms.pipeline.read;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** Bytes to text and back: any bytes survive, and well-formed UTF-8 decodes as usual. */
class LosslessUtf8Test {
  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static String decode(byte[] b) {
    return LosslessUtf8.decode(b, 0, b.length);
  }

  @Test
  void aLatin1Byte_becomesItsEscape_andEncodesBackToItself() {
    byte[] jose = bytes('J', 'o', 's', 0xE9);

    assertThat(decode(jose), equalTo("Jos\uDCE9"));
    assertThat(LosslessUtf8.encode("Jos\uDCE9"), equalTo(jose));
  }

  @Test
  void wellFormedUtf8_decodesAsTheJdkDoes_includingARealReplacementCharacter() {
    String text = "plain, é, 漢字, 😀, and a real \uFFFD";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);

    assertThat(decode(utf8), equalTo(text));
    assertThat(LosslessUtf8.encode(text), equalTo(utf8));
  }

  @Test
  void illFormedSequences_escapeEveryByte() {
    // overlong '/', an encoded surrogate (CESU-8), above U+10FFFF, a cut-off 3-byte sequence, a
    // lone continuation byte
    byte[] bad = bytes(0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xE2, 0x82, 'x', 0x80);

    assertThat(
        decode(bad),
        equalTo("\uDCC0\uDCAF\uDCED\uDCA0\uDC80\uDCF4\uDC90\uDC80\uDC80\uDCE2\uDC82x\uDC80"));
    assertThat(LosslessUtf8.encode(decode(bad)), equalTo(bad));
  }

  @Test
  void aSupplementaryCharacterWhoseLowHalfLooksLikeAnEscape_staysOneCharacter() {
    // U+10080 is D800 DC80: its low half is in the escape range, but paired.
    byte[] b = bytes(0xF0, 0x90, 0x82, 0x80, 0xE9);

    String s = decode(b);
    assertThat(s, equalTo("\uD800\uDC80\uDCE9"));
    assertThat(LosslessUtf8.firstLoneSurrogate(s, 0), is(2));
    assertThat(LosslessUtf8.encode(s), equalTo(b));
  }

  @Test
  void plainText_isEncodedByTheJdk_andHasNoEscapes() {
    assertThat(LosslessUtf8.hasLoneSurrogate("{\"a\":\"é😀\"}"), is(false));
    assertThat(LosslessUtf8.hasLoneSurrogate("a\uDCE9"), is(true));
  }

  @Test
  void aLoneSurrogateThatStandsForNoByte_cannotBeEncoded() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LosslessUtf8.encode("ab\uD800c"));
    assertThat(
        e.getMessage(),
        equalTo("The text holds a lone surrogate that stands for no byte, at index 2"));
    assertThrows(IllegalArgumentException.class, () -> LosslessUtf8.encode("\uDC7F"));
  }

  @Property
  void anyBytes_surviveDecodeThenEncode(@ForAll("textLikeBytes") byte[] b) {
    assertThat(LosslessUtf8.encode(decode(b)), equalTo(b));
  }

  @Property
  void anyBytes_surviveTheCoder(@ForAll("textLikeBytes") byte[] b) throws Exception {
    String s = decode(b);
    LosslessUtf8Coder coder = LosslessUtf8Coder.of();
    String back = CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, s));
    assertThat(back, equalTo(s));
    assertThat(LosslessUtf8.encode(back), equalTo(b));
  }

  private final LosslessUtf8.Encoder encoder =
      new LosslessUtf8.Encoder(); // reused, as a writer does

  @Property
  void anyBytes_encodeIntoABuffer_withAReusedEncoder(@ForAll("textLikeBytes") byte[] b) {
    String s = decode(b);
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(LosslessUtf8.maxEncodedLength(s) + 2);
    out.position(2);
    encoder.encode(s, out);
    assertThat(java.util.Arrays.copyOfRange(out.array(), 2, out.position()), equalTo(b));
  }

  @Test
  void encoder_refusesALoneSurrogateThatStandsForNoByte_andThenEncodesTheNextText() {
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(64);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> encoder.encode("ab\uDBFFc", out));
    assertThat(
        e.getMessage(),
        equalTo("The text holds a lone surrogate that stands for no byte, at index 2"));
    out.clear();
    encoder.encode("J\uDCE9", out);
    assertThat(java.util.Arrays.copyOf(out.array(), out.position()), equalTo(bytes('J', 0xE9)));
  }

  @Test
  void coder_refusesTextThatIsNoLine() {
    assertThrows(
        org.apache.beam.sdk.coders.CoderException.class,
        () -> CoderUtils.encodeToByteArray(LosslessUtf8Coder.of(), "\uD800"));
  }

  /** Bytes weighted toward UTF-8's interesting values: leads, continuations, ASCII. */
  @Provide
  Arbitrary<byte[]> textLikeBytes() {
    Arbitrary<Byte> b =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.bytes().between((byte) 0x20, (byte) 0x7E)),
            net.jqwik.api.Tuple.of(3, Arbitraries.bytes().between((byte) 0x80, (byte) 0xBF)),
            net.jqwik.api.Tuple.of(
                3,
                Arbitraries.of(
                    (byte) 0xC2,
                    (byte) 0xDF,
                    (byte) 0xE0,
                    (byte) 0xED,
                    (byte) 0xEF,
                    (byte) 0xF0,
                    (byte) 0xF4,
                    (byte) 0xF5,
                    (byte) 0xC0,
                    (byte) 0xFF)),
            net.jqwik.api.Tuple.of(1, Arbitraries.bytes()));
    return b.array(byte[].class).ofMaxSize(40);
  }
}
