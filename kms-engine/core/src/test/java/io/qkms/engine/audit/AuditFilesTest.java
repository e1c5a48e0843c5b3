package io.qkms.engine.audit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AuditFilesTest {
  @Test
  void theHmacIsHmacSha256_soTrailsSignedBeforeStillVerify() {
    // RFC 4231, test case 2.
    byte[] mac =
        AuditFiles.hmac("Jefe".getBytes(StandardCharsets.US_ASCII), "what do ya want for nothing?");
    assertThat(
        HexFormat.of().formatHex(mac),
        is("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  }
}
