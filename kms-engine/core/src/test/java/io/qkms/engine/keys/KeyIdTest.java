package io.qkms.engine.keys;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.qkms.engine.internal.crypto.Randomness;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyIdTest {
  private static final String UUID_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab";

  @Test
  void parse_lowercaseUuid_isASingleRegionKeyId() {
    KeyId id = KeyId.parse(UUID_ID);
    assertThat(id.value(), equalTo(UUID_ID));
    assertThat(id.isMultiRegion(), equalTo(false));
    assertThat(HexFormat.of().formatHex(id.toBytes()), equalTo("1234abcd12ab34cd56ef1234567890ab"));
  }

  @Test
  void parse_mrkForm_isAMultiRegionKeyId() {
    KeyId id = KeyId.parse(MRK_ID);
    assertThat(id.value(), equalTo(MRK_ID));
    assertThat(id.isMultiRegion(), equalTo(true));
    assertThat(HexFormat.of().formatHex(id.toBytes()), equalTo("1234abcd12ab34cd56ef1234567890ab"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "1234ABCD-12AB-34CD-56EF-1234567890AB",
        "1234abcd-12ab-34cd-56ef-1234567890aB",
        "1234abcd12ab34cd56ef1234567890ab",
        "1234abcd-12ab-34cd-56ef1234567890ab-",
        "1234abc-d12ab-34cd-56ef-1234567890ab",
        "1234abcd-12ab-34cd-56ef-1234567890a",
        "1234abcd-12ab-34cd-56ef-1234567890abc",
        "1234abcd-12ab-34cd-56ef-1234567890ag",
        "{1234abcd-12ab-34cd-56ef-1234567890ab}",
        "mrk-1234ABCD12AB34CD56EF1234567890AB",
        "MRK-1234abcd12ab34cd56ef1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890a",
        "mrk-1234abcd12ab34cd56ef1234567890abc",
        "mrk-1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-fake-key-id",
        "mrk-",
        "alias/x"
      })
  void tryParse_notAKeyId_isNull(String text) {
    assertThat(KeyId.tryParse(text), nullValue());
  }

  @Test
  void parse_upperCaseUuid_isRejectedWithTheText() {
    assertRefused(
        () -> KeyId.parse("1234ABCD-12AB-34CD-56EF-1234567890AB"),
        "Not a key ID: 1234ABCD-12AB-34CD-56EF-1234567890AB");
  }

  @ParameterizedTest
  @ValueSource(strings = {UUID_ID, MRK_ID})
  void fromBytes_ofToBytes_roundTrips(String text) {
    KeyId id = KeyId.parse(text);
    KeyId back = KeyId.fromBytes(id.toBytes(), id.isMultiRegion());
    assertThat(back, equalTo(id));
    assertThat(back.value(), equalTo(text));
    assertThat(back.hashCode(), equalTo(id.hashCode()));
  }

  @Test
  void writeBytes_writesTheBinaryFormAtTheOffset() {
    byte[] out = new byte[20];
    KeyId.parse(UUID_ID).writeBytes(out, 4);
    assertThat(HexFormat.of().formatHex(out), equalTo("000000001234abcd12ab34cd56ef1234567890ab"));
  }

  @Test
  void toBytes_isACopy() {
    KeyId id = KeyId.parse(UUID_ID);
    id.toBytes()[0] = 0;
    assertThat(id.toBytes()[0], equalTo((byte) 0x12));
  }

  @Test
  void fromBytes_isACopy() {
    byte[] b = KeyId.parse(UUID_ID).toBytes();
    KeyId id = KeyId.fromBytes(b, false);
    b[0] = 0;
    assertThat(id.value(), equalTo(UUID_ID));
  }

  @Test
  void fromBytes_wrongLength_isRejected() {
    assertRefused(() -> KeyId.fromBytes(new byte[15], false), "A key ID has 16 bytes");
  }

  @Test
  void equals_sameBytesDifferentKind_areDifferentKeys() {
    KeyId uuid = KeyId.parse(UUID_ID);
    KeyId mrk = KeyId.parse(MRK_ID);
    assertThat(uuid, not(equalTo(mrk)));
  }

  @RepeatedTest(20)
  void random_singleRegion_isAVersion4Uuid() {
    KeyId id = KeyId.random(false, Randomness.current());
    UUID uuid = UUID.fromString(id.value());
    assertThat(uuid.version(), equalTo(4));
    assertThat(uuid.variant(), equalTo(2));
    assertThat(uuid.toString(), equalTo(id.value()));
    assertThat(KeyId.parse(id.value()), equalTo(id));
  }

  @RepeatedTest(5)
  void random_multiRegion_isMrkForm() {
    KeyId id = KeyId.random(true, Randomness.current());
    assertThat(id.isMultiRegion(), equalTo(true));
    assertThat(id.value().matches("mrk-[0-9a-f]{32}"), equalTo(true));
    assertThat(KeyId.parse(id.value()), equalTo(id));
  }

  @Test
  void random_twice_differs() {
    assertThat(
        KeyId.random(false, Randomness.current()),
        not(equalTo(KeyId.random(false, Randomness.current()))));
  }
}
