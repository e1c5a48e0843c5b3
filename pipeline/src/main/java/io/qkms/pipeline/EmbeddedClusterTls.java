package io.qkms.pipeline;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.SafeBag;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS12PfxPduBuilder;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.bc.BcPKCS12MacCalculatorBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS12SafeBagBuilder;

/**
 * A self-signed certificate made for one run (EC P-256, loopback names), as the PKCS#12 key store
 * and trust store Flink's SSL settings name, with a random password: the embedded cluster's mutual
 * TLS ({@link FlinkSettings#embeddedClusterConfig}). The key never leaves the run's owner-only
 * scratch folder, which the run deletes.
 */
record EmbeddedClusterTls(Path keyStore, Path trustStore, String password) {
  static final String CIPHER_SUITES =
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";

  /**
   * PBKDF2 iterations of the stores' key encryption and MAC. The password is 192 random bits, so
   * stretching it adds nothing; the JDK's default (10,000) cost 0.3 s of every run's start-up, as
   * Flink loads each store several times.
   */
  private static final int PBE_ITERATIONS = 1;

  private static final String FRIENDLY_NAME = "flink";

  /**
   * The JDK's trustedKeyUsage bag attribute: without it the JDK's PKCS#12 reader skips a
   * certificate that has no key, so the trust store would be empty.
   */
  private static final ASN1ObjectIdentifier JDK_TRUSTED_KEY_USAGE =
      new ASN1ObjectIdentifier("2.16.840.1.113894.746875.1.1");

  static EmbeddedClusterTls create(Path dir) {
    byte[] secret = new byte[24];
    SecureRandom random = new SecureRandom();
    random.nextBytes(secret);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, random);
      KeyPair pair = generator.generateKeyPair();
      X500Name name = new X500Name("CN=qkms-rekey embedded Flink cluster");
      Instant now = Instant.now();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(64, random),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(7))),
              name,
              pair.getPublic());
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      char[] pw = password.toCharArray();
      Path keyStore = dir.resolve("keystore.p12");
      Path trustStore = dir.resolve("truststore.p12");
      Files.write(keyStore, keyStore(pair, certificate, pw, random));
      Files.write(trustStore, trustStore(certificate, pw));
      return new EmbeddedClusterTls(keyStore, trustStore, password);
    } catch (GeneralSecurityException | OperatorCreationException | PKCSException | IOException e) {
      throw new IllegalStateException(
          "Cannot make the embedded Flink cluster's certificate: " + e, e);
    }
  }

  /** The key and its certificate, as the JDK reads a PKCS#12 key store. */
  private static byte[] keyStore(
      KeyPair pair, X509Certificate certificate, char[] pw, SecureRandom random)
      throws IOException, GeneralSecurityException, OperatorCreationException, PKCSException {
    DEROctetString localKeyId =
        new DEROctetString(
            MessageDigest.getInstance("SHA-256").digest(pair.getPublic().getEncoded()));
    // BC's bag builder would encrypt the key itself, but asks the JDK for AES-CBC without
    // padding.
    PKCS12SafeBag key =
        new PKCS12SafeBag(
            new SafeBag(
                PKCSObjectIdentifiers.pkcs8ShroudedKeyBag,
                encrypted(pair, pw, random),
                new DERSet(
                    new ASN1Encodable[] {
                      new Attribute(
                          PKCSObjectIdentifiers.pkcs_9_at_friendlyName,
                          new DERSet(new DERBMPString(FRIENDLY_NAME))),
                      new Attribute(
                          PKCSObjectIdentifiers.pkcs_9_at_localKeyId, new DERSet(localKeyId))
                    })));
    PKCS12SafeBagBuilder cert = new JcaPKCS12SafeBagBuilder(certificate);
    cert.addBagAttribute(
        PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(FRIENDLY_NAME));
    cert.addBagAttribute(PKCSObjectIdentifiers.pkcs_9_at_localKeyId, localKeyId);
    return pfx(pw, key, cert.build());
  }

  /** The private key as an EncryptedPrivateKeyInfo, as the JDK's own PKCS#12 writer makes it. */
  private static EncryptedPrivateKeyInfo encrypted(KeyPair pair, char[] pw, SecureRandom random)
      throws GeneralSecurityException, IOException {
    String algorithm = "PBEWithHmacSHA256AndAES_256";
    byte[] salt = new byte[16];
    byte[] iv = new byte[16];
    random.nextBytes(salt);
    random.nextBytes(iv);
    Cipher cipher = Cipher.getInstance(algorithm);
    cipher.init(
        Cipher.ENCRYPT_MODE,
        SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(pw)),
        new PBEParameterSpec(salt, PBE_ITERATIONS, new IvParameterSpec(iv)));
    byte[] sealed = cipher.doFinal(pair.getPrivate().getEncoded());
    return new EncryptedPrivateKeyInfo(
        new AlgorithmIdentifier(
            PKCSObjectIdentifiers.id_PBES2,
            ASN1Primitive.fromByteArray(cipher.getParameters().getEncoded())),
        sealed);
  }

  /** The certificate as a trusted entry (the JDK's trusted-key-usage attribute). */
  private static byte[] trustStore(X509Certificate certificate, char[] pw)
      throws IOException, PKCSException {
    PKCS12SafeBagBuilder cert = new JcaPKCS12SafeBagBuilder(certificate);
    cert.addBagAttribute(
        PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERBMPString(FRIENDLY_NAME));
    cert.addBagAttribute(JDK_TRUSTED_KEY_USAGE, KeyPurposeId.anyExtendedKeyUsage.toOID());
    return pfx(pw, cert.build());
  }

  private static byte[] pfx(char[] pw, PKCS12SafeBag... bags) throws IOException, PKCSException {
    PKCS12PfxPduBuilder pfx = new PKCS12PfxPduBuilder();
    for (PKCS12SafeBag bag : bags) {
      pfx.addData(bag);
    }
    BcPKCS12MacCalculatorBuilder mac =
        new BcPKCS12MacCalculatorBuilder(
            new SHA256Digest(),
            new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE));
    mac.setIterationCount(PBE_ITERATIONS);
    return pfx.build(mac, pw).getEncoded(ASN1Encoding.DER);
  }

  /** The Flink settings for SSL {@code kind} (rest or internal) with this store. */
  String config(String kind) {
    String p = "security.ssl." + kind + ".";
    return p
        + "enabled: true\n"
        + p
        + "keystore: "
        + FlinkSettings.yaml(keyStore)
        + "\n"
        + p
        + "keystore-password: "
        + password
        + "\n"
        + p
        + "key-password: "
        + password
        + "\n"
        + p
        + "truststore: "
        + FlinkSettings.yaml(trustStore)
        + "\n"
        + p
        + "truststore-password: "
        + password
        + "\n";
  }
}
