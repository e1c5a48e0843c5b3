package io.qkms.engine.keys;

/** How a key material came to be. */
public enum RotationType {
  /** The material the key was created with (not listed by ListKeyRotations by default). */
  INITIAL,
  AUTOMATIC,
  ON_DEMAND
}
