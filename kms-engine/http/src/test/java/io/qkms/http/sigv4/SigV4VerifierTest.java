package io.qkms.http.sigv4;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.qkms.engine.api.Principal;
import io.qkms.engine.keys.AccountId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The verifier's parts the suite does not reach: dates, path normalization, key caching. */
class SigV4VerifierTest {
  private static final SigningCredential CREDENTIAL =
      new SigningCredential(
          "AKIDEXAMPLE",
          Principal.root(AccountId.of("111122223333")),
          "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".getBytes(StandardCharsets.US_ASCII));

  @Test
  void parseAmzDate_isEpochSeconds() {
    assertThat(SigV4Verifier.parseAmzDate("20150830T123600Z"), equalTo(1440938160L));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "20150230T123600Z", // February 30
        "20151330T123600Z", // month 13
        "20150830T243600Z", // hour 24
        "2015-08-30T12:36:00Z", // extended format
        "20150830T123600", // no zone
        "2015083OT123600Z" // a letter for a digit
      })
  void parseAmzDate_invalid_isIncompleteSignature(String date) {
    SigV4Exception e = assertThrows(SigV4Exception.class, () -> SigV4Verifier.parseAmzDate(date));

    assertThat(e.errorCode(), equalTo("IncompleteSignatureException"));
    assertThat(
        e.getMessage(),
        equalTo(
            "Date must be in ISO-8601 'basic format'. Got '"
                + date
                + "'. See http://en.wikipedia.org/wiki/ISO_8601"));
  }

  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/a/b/../c, /a/c",
    "/a/./b/, /a/b/",
    "/../.., /",
    "//a//b, /a/b",
    "/a/b/.., /a"
  })
  void removeDotSegments_normalizesAsAwsDoes(String path, String normalized) {
    assertThat(SigV4Verifier.removeDotSegments(path), equalTo(normalized));
  }

  @Test
  void signingKey_isDerivedOncePerScope() {
    String scope = "20150830/us-east-1/kms/aws4_request";

    byte[] first = CREDENTIAL.signingKey(scope, "20150830", "us-east-1", "kms");
    byte[] again = CREDENTIAL.signingKey(scope, "20150830", "us-east-1", "kms");
    byte[] otherRegion =
        CREDENTIAL.signingKey(
            "20150830/eu-west-1/kms/aws4_request", "20150830", "eu-west-1", "kms");

    assertThat(again, sameInstance(first));
    assertThat(otherRegion, not(equalTo(first)));
  }

  @Test
  void credential_toString_neverShowsTheSecret() {
    assertThat(
        CREDENTIAL.toString(),
        equalTo("SigningCredential[AKIDEXAMPLE, arn:verenc:111122223333:root]"));
  }
}
