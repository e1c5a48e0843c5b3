package io.qkms.engine.keys;

/** What a key may be used for. Names are the API's values. */
public enum KeyUsage {
  ENCRYPT_DECRYPT,
  SIGN_VERIFY,
  GENERATE_VERIFY_MAC;

  /** The usage named {@code name}, or {@code null} if there is none. */
  public static KeyUsage fromName(String name) {
    for (KeyUsage u : values()) {
      if (u.name().equals(name)) {
        return u;
      }
    }
    return null;
  }
}
