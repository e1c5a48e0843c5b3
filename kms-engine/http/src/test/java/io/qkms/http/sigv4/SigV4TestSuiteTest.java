package io.qkms.http.sigv4;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier against every case of the AWS SigV4 test suite: the suite's canonical request is
 * rebuilt exactly, the header-signed request verifies with the case's credentials, time, region and
 * service, and each tampered variant (a signed header's value, the body, the date, the signature)
 * is refused with InvalidSignatureException.
 */
class SigV4TestSuiteTest {
  static Stream<String> cases() throws IOException {
    return SuiteCase.names();
  }

  private static SigV4Exception refused(SuiteCase c, SignableRequest request, byte[] body) {
    return assertThrows(
        SigV4Exception.class, () -> c.verifier().verify(request, body, body.length));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void canonicalRequest_isTheSuites(String name) {
    SuiteCase c = SuiteCase.load(name);

    assertThat(
        c.verifier().canonicalRequest(c.request(), c.body(), c.body().length),
        equalTo(c.canonicalRequest()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void signedRequest_verifies_asTheSuitesAccessKeyAndRegion(String name) {
    SuiteCase c = SuiteCase.load(name);

    SigV4Verifier.Verified v = c.verifier().verify(c.request(), c.body(), c.body().length);

    assertThat(v.credential().accessKeyId(), equalTo(c.accessKeyId()));
    assertThat(v.region(), equalTo(c.region()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tamperedSignedHeaderValue_isInvalidSignature(String name) {
    SuiteCase c = SuiteCase.load(name);
    // The first signed header that is neither host nor the date, else host itself.
    String signed = c.header("Authorization").replaceAll(".*SignedHeaders=([^,]*),.*", "$1");
    String target =
        Arrays.stream(signed.split(";"))
            .filter(h -> !h.equals("host") && !h.equals("x-amz-date"))
            .findFirst()
            .orElse("host");

    SigV4Exception e = refused(c, c.withHeader(target, c.header(target) + "x"), c.body());

    assertMismatch(e, target.equals("x-amz-content-sha256"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tamperedBody_isInvalidSignature(String name) {
    SuiteCase c = SuiteCase.load(name);
    byte[] body =
        (new String(c.body(), StandardCharsets.UTF_8) + "x").getBytes(StandardCharsets.UTF_8);

    SigV4Exception e = refused(c, c.request(), body);

    assertMismatch(e, c.header("x-amz-content-sha256") != null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tamperedDate_isInvalidSignature(String name) {
    SuiteCase c = SuiteCase.load(name);
    // One second later: same scope date, within the skew window, but not what was signed.
    SigV4Exception e = refused(c, c.withHeader("X-Amz-Date", "20150830T123601Z"), c.body());

    assertThat(e.errorCode(), equalTo("InvalidSignatureException"));
    assertThat(e.getMessage(), equalTo(SigV4Verifier.SIGNATURE_MISMATCH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tamperedSignature_isInvalidSignature(String name) {
    SuiteCase c = SuiteCase.load(name);
    String auth = c.header("Authorization");
    char last = auth.charAt(auth.length() - 1);
    String tampered = auth.substring(0, auth.length() - 1) + (last == '0' ? '1' : '0');

    SigV4Exception e = refused(c, c.withHeader("Authorization", tampered), c.body());

    assertThat(e.errorCode(), equalTo("InvalidSignatureException"));
    assertThat(e.getMessage(), equalTo(SigV4Verifier.SIGNATURE_MISMATCH));
  }

  /**
   * InvalidSignatureException: the body hash header's own message where that header no longer
   * matches, else the signature mismatch.
   */
  private static void assertMismatch(SigV4Exception e, boolean bodyHashHeaderMismatch) {
    assertThat(e.errorCode(), equalTo("InvalidSignatureException"));
    assertThat(
        e.getMessage(),
        equalTo(
            bodyHashHeaderMismatch
                ? "The provided 'x-amz-content-sha256' header does not match what was computed."
                : SigV4Verifier.SIGNATURE_MISMATCH));
  }
}
