package io.qkms.engine.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

/** The check the value types' tests share: a bad value is refused with a precise message. */
public final class Refusals {
  private Refusals() {}

  /** {@code call} throws an {@link IllegalArgumentException} whose message is {@code message}. */
  public static void assertRefused(Executable call, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertThat(e.getMessage(), equalTo(message));
  }
}
