package io.qkms.http;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tests' own signer reproduces the AWS suite's post-vanilla signature. */
class TestSignerTest {
  @Test
  void sign_postVanilla_isTheSuitesAuthorization() {
    Map<String, String> h =
        TestSigner.sign(
            "POST",
            "example.amazonaws.com",
            "/",
            Map.of(),
            new byte[0],
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            "service",
            Instant.parse("2015-08-30T12:36:00Z"));

    assertThat(
        h.get("Authorization"),
        equalTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                + " SignedHeaders=host;x-amz-date,"
                + " Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
    assertThat(h.get("X-Amz-Date"), equalTo("20150830T123600Z"));
  }
}
