package io.qkms.engine.internal.auth;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Base64;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class GrantTokenPropertiesTest {
  @Property
  void decode_ofEncode_isTheSameGrant(@ForAll @Size(32) byte[] id) {
    GrantToken t = new GrantToken(HexFormat.of().formatHex(id));
    assertThat(GrantToken.decode(t.encode()), equalTo(t));
  }

  @Property
  void decode_ignoresATrailerOfUpTo64Bytes(
      @ForAll @Size(32) byte[] id, @ForAll @Size(max = 64) byte[] trailer) {
    GrantToken t = new GrantToken(HexFormat.of().formatHex(id));
    byte[] body = Base64.getDecoder().decode(t.encode());
    byte[] withTrailer = new byte[body.length + trailer.length];
    System.arraycopy(body, 0, withTrailer, 0, body.length);
    System.arraycopy(trailer, 0, withTrailer, body.length, trailer.length);
    assertThat(GrantToken.decode(Base64.getEncoder().encodeToString(withTrailer)), equalTo(t));
  }
}
