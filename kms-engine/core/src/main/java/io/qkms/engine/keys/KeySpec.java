package io.qkms.engine.keys;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Key specs QKMS can create, with the usages and algorithms each supports. */
public enum KeySpec {
  SYMMETRIC_DEFAULT(32, EnumSet.of(KeyUsage.ENCRYPT_DECRYPT)),
  HMAC_224(28, EnumSet.of(KeyUsage.GENERATE_VERIFY_MAC)),
  HMAC_256(32, EnumSet.of(KeyUsage.GENERATE_VERIFY_MAC)),
  HMAC_384(48, EnumSet.of(KeyUsage.GENERATE_VERIFY_MAC)),
  HMAC_512(64, EnumSet.of(KeyUsage.GENERATE_VERIFY_MAC)),
  RSA_2048(0, EnumSet.of(KeyUsage.ENCRYPT_DECRYPT, KeyUsage.SIGN_VERIFY)),
  RSA_3072(0, EnumSet.of(KeyUsage.ENCRYPT_DECRYPT, KeyUsage.SIGN_VERIFY)),
  RSA_4096(0, EnumSet.of(KeyUsage.ENCRYPT_DECRYPT, KeyUsage.SIGN_VERIFY)),
  ECC_NIST_P256(0, EnumSet.of(KeyUsage.SIGN_VERIFY)),
  ECC_NIST_P384(0, EnumSet.of(KeyUsage.SIGN_VERIFY)),
  ECC_NIST_P521(0, EnumSet.of(KeyUsage.SIGN_VERIFY));

  private final int secretKeySizeBytes;
  private final Set<KeyUsage> usages;

  KeySpec(int secretKeySizeBytes, Set<KeyUsage> usages) {
    this.secretKeySizeBytes = secretKeySizeBytes;
    this.usages = usages;
  }

  /** The spec named {@code name}, or {@code null} if there is none. */
  public static KeySpec fromName(String name) {
    for (KeySpec s : values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  public boolean isSymmetricEncryption() {
    return this == SYMMETRIC_DEFAULT;
  }

  public boolean isHmac() {
    return name().startsWith("HMAC_");
  }

  public boolean isRsa() {
    return name().startsWith("RSA_");
  }

  public boolean isEcc() {
    return name().startsWith("ECC_");
  }

  /** Size of the secret for symmetric and HMAC specs; 0 for asymmetric specs. */
  public int secretKeySizeBytes() {
    return secretKeySizeBytes;
  }

  public boolean supports(KeyUsage usage) {
    return usages.contains(usage);
  }

  /** The usage CreateKey picks when the caller names none. */
  public KeyUsage defaultUsage() {
    if (isHmac()) {
      return KeyUsage.GENERATE_VERIFY_MAC;
    }
    if (isEcc()) {
      return KeyUsage.SIGN_VERIFY;
    }
    return KeyUsage.ENCRYPT_DECRYPT;
  }

  /** EncryptionAlgorithms of DescribeKey for a key of this spec and usage. */
  public List<String> encryptionAlgorithms(KeyUsage usage) {
    if (usage != KeyUsage.ENCRYPT_DECRYPT) {
      return List.of();
    }
    return isRsa()
        ? List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
        : List.of("SYMMETRIC_DEFAULT");
  }

  /** MacAlgorithms of DescribeKey. */
  public List<String> macAlgorithms() {
    return isHmac() ? List.of("HMAC_SHA_" + name().substring("HMAC_".length())) : List.of();
  }

  /** SigningAlgorithms of DescribeKey for a key of this spec and usage. */
  public List<String> signingAlgorithms(KeyUsage usage) {
    if (usage != KeyUsage.SIGN_VERIFY) {
      return List.of();
    }
    return switch (this) {
      case RSA_2048, RSA_3072, RSA_4096 ->
          List.of(
              "RSASSA_PSS_SHA_256",
              "RSASSA_PSS_SHA_384",
              "RSASSA_PSS_SHA_512",
              "RSASSA_PKCS1_V1_5_SHA_256",
              "RSASSA_PKCS1_V1_5_SHA_384",
              "RSASSA_PKCS1_V1_5_SHA_512");
      case ECC_NIST_P256 -> List.of("ECDSA_SHA_256");
      case ECC_NIST_P384 -> List.of("ECDSA_SHA_384");
      case ECC_NIST_P521 -> List.of("ECDSA_SHA_512");
      default -> List.of();
    };
  }

  /** Largest plaintext RSA-OAEP can take under this spec, as AWS documents it. */
  public int maxRsaPlaintextBytes(EncryptionAlgorithm algorithm) {
    boolean sha256 = algorithm == EncryptionAlgorithm.RSAES_OAEP_SHA_256;
    return switch (this) {
      case RSA_2048 -> sha256 ? 190 : 214;
      case RSA_3072 -> sha256 ? 318 : 342;
      case RSA_4096 -> sha256 ? 446 : 470;
      default -> 0;
    };
  }
}
