package io.qkms.engine.internal.auth;

/** A key policy that is not valid in the policy grammar; the message says what is wrong. */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }
}
