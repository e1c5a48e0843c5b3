package io.qkms.http.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A server's certificate chain and private key, read from PEM files (as {@code openssl}, {@code
 * certbot} and {@code qkms tls-cert} write them; RSA or EC), checked before a server uses them: the
 * key file readable by its owner only, the key the certificate's, the certificate valid now.
 * Immutable.
 */
public final class TlsMaterial {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final List<X509Certificate> chain;
  private final PrivateKey key;

  private TlsMaterial(List<X509Certificate> chain, PrivateKey key) {
    this.chain = List.copyOf(chain);
    this.key = key;
  }

  /**
   * Reads a certificate chain (the server's first) and its private key (PKCS#8 or the traditional
   * OpenSSL form, unencrypted), valid at {@code now}.
   *
   * @throws TlsMaterialException naming the file and what is wrong with it
   */
  public static TlsMaterial readPem(Path certificateFile, Path keyFile, Instant now) {
    List<X509Certificate> chain = readCertificates(certificateFile);
    PrivateKey key = readKey(keyFile);
    X509Certificate server = chain.get(0);
    if (!matches(key, server.getPublicKey())) {
      throw new TlsMaterialException(
          "The key in " + keyFile + " is not the key of the certificate in " + certificateFile);
    }
    try {
      server.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new TlsMaterialException(
          "The certificate in "
              + certificateFile
              + " expired on "
              + server.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new TlsMaterialException(
          "The certificate in "
              + certificateFile
              + " is not valid before "
              + server.getNotBefore().toInstant());
    }
    return new TlsMaterial(chain, key);
  }

  /** The server's certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The chain and key as an in-memory key store (alias {@code server}), for a TLS server. */
  public KeyStore keyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", key, password, chain.toArray(X509Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot hold the TLS key in a key store", e);
    }
  }

  private static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> chain = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(r)) {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
        if (o instanceof X509CertificateHolder h) {
          chain.add(converter.getCertificate(h));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new TlsMaterialException(
          "Cannot read the certificate file " + file + ": " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw new TlsMaterialException(
          "The certificate file " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    return chain;
  }

  private static PrivateKey readKey(Path file) {
    checkOwnerOnly(file);
    Object o;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(r)) {
      o = pem.readObject();
      while (o != null
          && !(o instanceof PEMKeyPair
              || o instanceof PrivateKeyInfo
              || o instanceof PEMEncryptedKeyPair
              || o instanceof PKCS8EncryptedPrivateKeyInfo)) {
        o = pem.readObject(); // e.g. EC PARAMETERS before the key
      }
    } catch (IOException | RuntimeException e) {
      throw new TlsMaterialException("Cannot read the key file " + file + ": " + e.getMessage());
    }
    if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
      throw new TlsMaterialException(
          "The key in " + file + " is encrypted; give the server an unencrypted key (mode 0600)");
    }
    try {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (IOException e) {
      throw new TlsMaterialException("Cannot read the key in " + file + ": " + e.getMessage());
    }
    throw new TlsMaterialException(
        "The key file " + file + " holds no PEM private key (BEGIN PRIVATE KEY)");
  }

  /** A key file others can read is a key others may have: refuse it, as ssh refuses one. */
  private static void checkOwnerOnly(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TlsMaterialException("The key file " + file + " does not exist");
    }
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (view == null) {
        return; // not a POSIX file system: nothing to check
      }
      Set<PosixFilePermission> mode = view.readAttributes().permissions();
      Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
      others.addAll(mode);
      others.retainAll(OTHERS);
      if (!others.isEmpty()) {
        throw new TlsMaterialException(
            "The key file "
                + file
                + " is accessible by others ("
                + PosixFilePermissions.toString(mode)
                + "); make it readable by its owner only: chmod 600 "
                + file);
      }
    } catch (IOException e) {
      throw new TlsMaterialException("Cannot read the key file " + file + ": " + e.getMessage());
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new TlsMaterialException(
                  "Unsupported key algorithm " + key.getAlgorithm() + ": use RSA or EC");
        };
    try {
      byte[] probe = "qkms tls key check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(publicKey);
      v.update(probe);
      return v.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
