package io.qkms.pipeline.worker.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates a worker trusts for an https KMS endpoint, read from a PEM file (one or more
 * {@code CERTIFICATE} blocks: a private CA, or the self-signed certificate {@code qkms tls-cert}
 * wrote) instead of the JVM's trust store. Only this client trusts them: the JVM's other clients
 * (S3, ...) keep the public CAs.
 */
public final class CaBundle {
  private CaBundle() {}

  /**
   * The certificates in {@code file}, checked as a worker will read them.
   *
   * @return how many there are (at least one)
   * @throws IllegalArgumentException saying what is wrong with the file
   */
  public static int check(String file) {
    return read(file).size();
  }

  /** Trust managers that trust exactly the certificates of {@code file}. */
  static TrustManager[] trustManagers(String file) {
    Collection<? extends Certificate> certs = read(file);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(store);
      return f.getTrustManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot make a trust store of " + file + ": " + e, e);
    }
  }

  private static Collection<? extends Certificate> read(String file) {
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException(
          "--kmsCaBundle " + file + " is not a readable file (a PEM file of CA certificates)");
    }
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(path)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--kmsCaBundle "
              + file
              + " holds no PEM certificate that can be read: "
              + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          "--kmsCaBundle "
              + file
              + " holds no certificate (expected -----BEGIN CERTIFICATE----- blocks)");
    }
    return certs;
  }
}
