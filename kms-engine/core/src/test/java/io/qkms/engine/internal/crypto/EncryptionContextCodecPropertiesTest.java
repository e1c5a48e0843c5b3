package io.qkms.engine.internal.crypto;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class EncryptionContextCodecPropertiesTest {
  /** The rule written out directly, as the reference the codec must agree with. */
  private static byte[] reference(Map<String, String> context) {
    List<byte[][]> entries = new ArrayList<>();
    context.forEach(
        (k, v) ->
            entries.add(
                new byte[][] {
                  k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)
                }));
    entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, entries.size());
    for (byte[][] e : entries) {
      u16(out, e[0].length);
      out.writeBytes(e[0]);
      u16(out, e[1].length);
      out.writeBytes(e[1]);
    }
    return out.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v & 0xFF);
  }

  @Property
  void encode_agreesWithTheWrittenOutRule(
      @ForAll @Size(max = 8)
          Map<@StringLength(max = 12) String, @StringLength(max = 12) String> context) {
    // jqwik's strings may hold lone surrogates, which the codec rightly refuses; keep valid ones.
    Map<String, String> valid = new LinkedHashMap<>();
    context.forEach(
        (k, v) -> {
          if (wellFormed(k) && wellFormed(v)) {
            valid.put(k, v);
          }
        });
    assertThat(EncryptionContextCodec.encode(valid), equalTo(reference(valid)));
  }

  @Property
  void encode_doesNotDependOnInsertionOrder(
      @ForAll @Size(max = 8)
          Map<@StringLength(max = 6) String, @StringLength(max = 6) String> context) {
    Map<String, String> valid = new LinkedHashMap<>();
    context.forEach(
        (k, v) -> {
          if (wellFormed(k) && wellFormed(v)) {
            valid.put(k, v);
          }
        });
    List<String> keys = new ArrayList<>(valid.keySet());
    Collections.reverse(keys);
    Map<String, String> reversed = new LinkedHashMap<>();
    keys.forEach(k -> reversed.put(k, valid.get(k)));
    assertThat(
        EncryptionContextCodec.encode(reversed), equalTo(EncryptionContextCodec.encode(valid)));
  }

  private static boolean wellFormed(String s) {
    return StandardCharsets.UTF_16.newEncoder().canEncode(s);
  }
}
