package io.qkms.engine.internal.auth;

/** The outcome of evaluating a key policy for one request. */
public enum Decision {
  /** A statement allows the request and none denies it. */
  ALLOW,
  /** A Deny statement matches: nothing, not even a grant, can allow the request. */
  EXPLICIT_DENY,
  /** No statement matches: a grant may still allow the request. */
  IMPLICIT_DENY
}
