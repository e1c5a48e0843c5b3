package io.qkms.engine.internal.crypto;

import io.qkms.engine.keys.EncryptionAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * RSA-OAEP as AWS KMS uses it for RSA ENCRYPT_DECRYPT keys: SHA-1 or SHA-256 for both the OAEP
 * digest and MGF1. The ciphertext is the raw OAEP output, with no QKMS header.
 */
public final class RsaOaep {
  private RsaOaep() {}

  public static byte[] encrypt(byte[] publicKeyX509, EncryptionAlgorithm algorithm, byte[] pt)
      throws GeneralSecurityException {
    PublicKey key =
        KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(publicKeyX509));
    Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
    c.init(Cipher.ENCRYPT_MODE, key, params(algorithm));
    return c.doFinal(pt);
  }

  /**
   * Decrypts; the caller owns (and must zero) the result.
   *
   * @throws BadCiphertextException if the ciphertext is not valid under this key
   */
  public static byte[] decrypt(byte[] privateKeyPkcs8, EncryptionAlgorithm algorithm, byte[] ct)
      throws BadCiphertextException {
    try {
      PrivateKey key =
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(privateKeyPkcs8));
      Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
      c.init(Cipher.DECRYPT_MODE, key, params(algorithm));
      return c.doFinal(ct);
    } catch (GeneralSecurityException e) {
      throw new BadCiphertextException();
    }
  }

  private static OAEPParameterSpec params(EncryptionAlgorithm algorithm) {
    return switch (algorithm) {
      case RSAES_OAEP_SHA_1 ->
          new OAEPParameterSpec(
              "SHA-1", "MGF1", MGF1ParameterSpec.SHA1, PSource.PSpecified.DEFAULT);
      case RSAES_OAEP_SHA_256 ->
          new OAEPParameterSpec(
              "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
      default -> throw new IllegalArgumentException(algorithm + " is not an RSA-OAEP algorithm");
    };
  }
}
