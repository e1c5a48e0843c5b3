package io.qkms.engine.keys;

/** Where a key's material comes from. */
public enum Origin {
  /** QKMS generated the material. */
  AWS_KMS,
  /** The caller imports the material; until then the key is PendingImport. */
  EXTERNAL;

  /** The origin named {@code name}, or {@code null}. */
  public static Origin fromName(String name) {
    for (Origin o : values()) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    return null;
  }
}
