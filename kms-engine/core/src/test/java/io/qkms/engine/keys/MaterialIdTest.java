package io.qkms.engine.keys;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.qkms.engine.internal.crypto.Randomness;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaterialIdTest {
  private static final String HEX =
      "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  @Test
  void parse_64LowercaseHex_keepsIt() {
    assertThat(MaterialId.parse(HEX).hex(), equalTo(HEX));
    assertThat(MaterialId.parse(HEX).toString(), equalTo(HEX));
  }

  @Test
  void parse_upperCase_isRejected() {
    assertRefused(
        () -> MaterialId.parse(HEX.toUpperCase()), "A key material ID is 64 lowercase hex digits");
  }

  @Test
  void parse_nonHex_isRejected() {
    assertRefused(
        () -> MaterialId.parse("g" + HEX.substring(1)),
        "A key material ID is 64 lowercase hex digits");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 32, 63, 65, 128})
  void parse_wrongLength_isRejected(int length) {
    String text = "a".repeat(length);
    assertRefused(() -> MaterialId.parse(text), "A key material ID is 64 hex digits");
  }

  @Test
  void parse_null_isRejected() {
    assertRefused(() -> MaterialId.parse(null), "A key material ID is 64 hex digits");
  }

  @Test
  void fromBytes_ofWriteBytes_roundTrips() {
    MaterialId id = MaterialId.parse(HEX);
    byte[] buffer = new byte[40];
    id.writeBytes(buffer, 5);
    assertThat(MaterialId.fromBytes(buffer, 5), equalTo(id));
    assertThat(HexFormat.of().formatHex(buffer, 5, 37), equalTo(HEX));
  }

  @Test
  void matches_sameBytesAtOffset_isTrue() {
    MaterialId id = MaterialId.parse(HEX);
    byte[] buffer = new byte[34];
    id.writeBytes(buffer, 2);
    assertThat(id.matches(buffer, 2), equalTo(true));
    assertThat(id.matches(buffer, 1), equalTo(false));
  }

  @Test
  void fromBytes_isACopy() {
    byte[] buffer = HexFormat.of().parseHex(HEX);
    MaterialId id = MaterialId.fromBytes(buffer, 0);
    buffer[0] = 1;
    assertThat(id.hex(), equalTo(HEX));
  }

  @Test
  void random_is64HexAndUnique() {
    MaterialId a = MaterialId.random(Randomness.current());
    MaterialId b = MaterialId.random(Randomness.current());
    assertThat(a.hex().matches("[0-9a-f]{64}"), equalTo(true));
    assertThat(a, not(equalTo(b)));
    assertThat(MaterialId.parse(a.hex()), equalTo(a));
    assertThat(MaterialId.parse(a.hex()).hashCode(), equalTo(a.hashCode()));
  }
}
