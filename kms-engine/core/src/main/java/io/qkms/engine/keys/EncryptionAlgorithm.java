package io.qkms.engine.keys;

import java.util.List;

/** Encryption algorithms the API knows. Only {@link #SYMMETRIC_DEFAULT} takes part in ReEncrypt. */
public enum EncryptionAlgorithm {
  SYMMETRIC_DEFAULT,
  RSAES_OAEP_SHA_1,
  RSAES_OAEP_SHA_256,
  SM2PKE;

  /** The wire names, in the order AWS lists them in validation messages. */
  public static final List<String> NAMES =
      List.of("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE");

  /** The algorithm named {@code name}, or {@code null} if there is none. */
  public static EncryptionAlgorithm fromName(String name) {
    for (EncryptionAlgorithm a : values()) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    return null;
  }
}
