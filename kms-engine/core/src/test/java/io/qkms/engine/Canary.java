package io.qkms.engine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A distinctive plaintext that the error tests encrypt, and the checks that it never appears where
 * it must not (exception messages, toString output). Its UTF-8 length is a multiple of 3, so its
 * base64 form has no padding and shows up verbatim wherever it is embedded at an aligned offset.
 */
final class Canary {
  static final String TEXT = "QKMS-canary-plaintext-7f3a9c1e-must-never-leave!";

  private Canary() {}

  static byte[] bytes() {
    return TEXT.getBytes(StandardCharsets.UTF_8);
  }

  /** Every spelling of the canary a careless message or log line could carry. */
  static List<String> spellings() {
    byte[] b = bytes();
    return List.of(
        TEXT,
        Base64.getEncoder().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        HexFormat.of().formatHex(b),
        HexFormat.of().withUpperCase().formatHex(b));
  }

  static void assertAbsent(String where, String text) {
    if (text == null) {
      return;
    }
    for (String spelling : spellings()) {
      assertThat(where, text, not(containsString(spelling)));
    }
  }

  /** The canary is in no message and no toString of {@code t} or of any of its causes. */
  static void assertAbsentFrom(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertAbsent("message of " + c.getClass().getName(), c.getMessage());
      assertAbsent("toString of " + c.getClass().getName(), c.toString());
    }
  }
}
