package io.qkms.engine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;

import io.qkms.engine.api.errors.InvalidCiphertextException;
import io.qkms.engine.api.errors.KmsException;
import org.junit.jupiter.api.function.Executable;

/**
 * Asserts that a call fails with exactly one API error class, and, for every failure, that the
 * canary plaintext is not in what the exception carries: every error test goes through here, which
 * is how "no exception message contains the plaintext" covers all of them.
 */
final class Expect {
  private Expect() {}

  /** Fails with exactly {@code type}, whose message does not leak the canary. */
  static <T extends KmsException> T fails(Class<T> type, Executable call) {
    T e = assertThrowsExactly(type, call);
    Canary.assertAbsentFrom(e);
    assertThat("errorCode", e.errorCode(), equalTo(type.getSimpleName()));
    return e;
  }

  /** Fails with exactly {@code type} and exactly {@code message}. */
  static <T extends KmsException> T fails(Class<T> type, String message, Executable call) {
    T e = fails(type, call);
    assertThat(e.getMessage(), equalTo(message));
    return e;
  }

  /** InvalidCiphertextException carries no message, as in AWS KMS. */
  static InvalidCiphertextException invalidCiphertext(Executable call) {
    InvalidCiphertextException e = fails(InvalidCiphertextException.class, call);
    assertThat(e.getMessage(), nullValue());
    return e;
  }
}
