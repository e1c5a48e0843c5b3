package io.qkms.engine.internal.auth;

import static io.qkms.engine.testing.Refusals.assertRefused;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class GrantTokenTest {
  /** The grant token of the AWS ReEncrypt example, and the grant ID inside it. */
  private static final String AWS_TOKEN =
      "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4";

  private static final String AWS_GRANT_ID =
      "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e4918";

  private static String token(int version, int field, int length, String id, int trailerBytes) {
    byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[3 + idBytes.length + trailerBytes];
    b[0] = (byte) version;
    b[1] = (byte) field;
    b[2] = (byte) length;
    System.arraycopy(idBytes, 0, b, 3, idBytes.length);
    Arrays.fill(b, 3 + idBytes.length, b.length, (byte) 0x01);
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void decode_awsExampleToken_givesItsGrantId() {
    assertThat(GrantToken.decode(AWS_TOKEN).grantId(), equalTo(AWS_GRANT_ID));
  }

  @Test
  void encode_isVersionFieldLengthAndId() {
    assertThat(
        new GrantToken(AWS_GRANT_ID).encode(),
        equalTo(
            "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOA=="));
  }

  @Test
  void decode_ofEncode_roundTrips() {
    GrantToken t = new GrantToken("0123456789abcdef".repeat(4));
    assertThat(GrantToken.decode(t.encode()), equalTo(t));
  }

  @Test
  void decode_trailerOf64Bytes_isAccepted() {
    assertThat(
        GrantToken.decode(token(1, 0x0a, 0x40, AWS_GRANT_ID, 64)).grantId(), equalTo(AWS_GRANT_ID));
  }

  @Test
  void decode_trailerOf65Bytes_isNull() {
    assertThat(GrantToken.decode(token(1, 0x0a, 0x40, AWS_GRANT_ID, 65)), nullValue());
  }

  @Test
  void decode_unpaddedBase64_isAccepted() {
    String padded = new GrantToken(AWS_GRANT_ID).encode();
    assertThat(GrantToken.decode(padded.replace("=", "")).grantId(), equalTo(AWS_GRANT_ID));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "not a token",
        "AQpA!!!!",
        "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkx",
        "AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4\n",
        " AQpAM2RhZTk1MGMyNTk2ZmZmMzEyYWVhOWViN2I1MWM4Mzc0MWFiYjc0ZDE1ODkyNGFlNTIzODZhMzgyZjBlNDkxOAF4",
        "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e4918"
      })
  void decode_malformedText_isNull(String text) {
    assertThat(GrantToken.decode(text), nullValue());
  }

  @Test
  void decode_urlSafeAlphabet_isNull() {
    byte[] b = new byte[67 + 2];
    b[0] = 1;
    b[1] = 0x0a;
    b[2] = 0x40;
    System.arraycopy(AWS_GRANT_ID.getBytes(StandardCharsets.US_ASCII), 0, b, 3, 64);
    b[67] = (byte) 0xfb; // makes '-' / '_' appear in the URL-safe encoding
    b[68] = (byte) 0xff;
    String urlSafe = Base64.getUrlEncoder().encodeToString(b);
    assertThat(urlSafe.contains("-") || urlSafe.contains("_"), equalTo(true));
    assertThat(GrantToken.decode(urlSafe), nullValue());
  }

  @Test
  void decode_wrongVersion_isNull() {
    assertThat(GrantToken.decode(token(2, 0x0a, 0x40, AWS_GRANT_ID, 2)), nullValue());
  }

  @Test
  void decode_wrongFieldTag_isNull() {
    assertThat(GrantToken.decode(token(1, 0x12, 0x40, AWS_GRANT_ID, 2)), nullValue());
  }

  @Test
  void decode_wrongLengthByte_isNull() {
    assertThat(GrantToken.decode(token(1, 0x0a, 0x3f, AWS_GRANT_ID, 2)), nullValue());
  }

  @Test
  void decode_grantIdTooShort_isNull() {
    assertThat(GrantToken.decode(token(1, 0x0a, 0x40, AWS_GRANT_ID.substring(1), 0)), nullValue());
  }

  @Test
  void decode_upperCaseGrantId_isNull() {
    assertThat(GrantToken.decode(token(1, 0x0a, 0x40, AWS_GRANT_ID.toUpperCase(), 2)), nullValue());
  }

  @Test
  void decode_nonHexGrantId_isNull() {
    String id = "g" + AWS_GRANT_ID.substring(1);
    assertThat(GrantToken.decode(token(1, 0x0a, 0x40, id, 2)), nullValue());
  }

  @Test
  void decode_overlongText_isNull() {
    assertThat(GrantToken.decode("A".repeat(8192)), nullValue());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "3DAE950C2596FFF312AEA9EB7B51C83741ABB74D158924AE52386A382F0E4918",
        "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e491",
        "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e49180",
        "3dae950c2596fff312aea9eb7b51c83741abb74d158924ae52386a382f0e491z"
      })
  void constructor_invalidGrantId_isRejected(String id) {
    assertRefused(() -> new GrantToken(id), "A grant ID is 64 lowercase hex digits");
  }

  @Test
  void isGrantId_null_isFalse() {
    assertThat(GrantToken.isGrantId(null), equalTo(false));
  }
}
