package io.qkms.engine.internal.crypto;

import io.qkms.engine.keys.KeySpec;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** Generates new key material for each key spec. */
public final class KeyMaterials {
  private KeyMaterials() {}

  /**
   * New material. {@code secret} is raw key bytes for symmetric and HMAC specs and a PKCS#8 private
   * key for asymmetric ones; {@code publicKey} is the X.509 public key (asymmetric only). The
   * caller owns {@code secret} and must zero it.
   */
  public record Generated(byte[] secret, byte[] publicKey) {}

  public static Generated generate(KeySpec spec, SecureRandom random) {
    if (spec.secretKeySizeBytes() > 0) {
      byte[] secret = new byte[spec.secretKeySizeBytes()];
      random.nextBytes(secret);
      return new Generated(secret, null);
    }
    try {
      KeyPairGenerator gen;
      if (spec.isRsa()) {
        int bits = Integer.parseInt(spec.name().substring("RSA_".length()));
        gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
      } else {
        String curve =
            switch (spec) {
              case ECC_NIST_P256 -> "secp256r1";
              case ECC_NIST_P384 -> "secp384r1";
              case ECC_NIST_P521 -> "secp521r1";
              default -> throw new IllegalArgumentException("No generator for " + spec);
            };
        gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec(curve), random);
      }
      KeyPair pair = gen.generateKeyPair();
      return new Generated(pair.getPrivate().getEncoded(), pair.getPublic().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot generate " + spec + " keys", e);
    }
  }
}
