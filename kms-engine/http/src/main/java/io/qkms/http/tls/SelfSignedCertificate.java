package io.qkms.http.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate for {@code qkms serve}, made with Bouncy Castle: an EC P-256
 * key, valid for {@code 127.0.0.1}, {@code ::1} and {@code localhost} plus the names given (IP
 * addresses or DNS names), for server authentication only. Clients trust it by trusting the
 * certificate file itself. The key file is written readable by its owner only (0600); neither file
 * is ever overwritten.
 */
public final class SelfSignedCertificate {
  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final Pattern IP_LITERAL =
      Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private SelfSignedCertificate() {}

  /** The names every certificate holds: the loopback addresses and localhost. */
  public static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "::1", "localhost");

  /**
   * Writes a new certificate to {@code certificateFile} and its key to {@code keyFile} (0600),
   * valid from {@code now} (less a minute, for clocks slightly behind) for {@code validity}.
   *
   * @param names IP addresses or DNS names besides {@link #LOOPBACK_NAMES}
   * @return the certificate
   * @throws TlsMaterialException if a name is neither, or a file exists
   */
  public static X509Certificate write(
      Path certificateFile, Path keyFile, List<String> names, Duration validity, Instant now)
      throws IOException {
    Set<String> all = new LinkedHashSet<>(LOOPBACK_NAMES);
    all.addAll(names);
    List<GeneralName> sans = new ArrayList<>();
    for (String name : all) {
      sans.add(generalName(name));
    }
    for (Path p : List.of(certificateFile, keyFile)) {
      if (Files.exists(p)) {
        throw new TlsMaterialException(p + " exists; it is not overwritten");
      }
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = g.generateKeyPair();
      X500Name subject = new X500Name("CN=qkms serve");
      byte[] serial = new byte[16];
      new SecureRandom().nextBytes(serial);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
                  subject,
                  new BigInteger(1, serial),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(validity)),
                  subject,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(sans.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(pair.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(pair.getPublic()));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      writeAtomically(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null)), true);
      writeAtomically(certificateFile, pem(certificate), false);
      return certificate;
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("Cannot make a certificate", e);
    }
  }

  private static GeneralName generalName(String name) {
    if (IP_LITERAL.matcher(name).matches()) {
      try {
        // A literal: no lookup happens.
        InetAddress.getByName(name);
        return new GeneralName(GeneralName.iPAddress, name);
      } catch (IOException | IllegalArgumentException e) {
        throw new TlsMaterialException("Not an IP address: '" + name + "'");
      }
    }
    if (name.length() > 253 || !DNS_NAME.matcher(name).matches()) {
      throw new TlsMaterialException("Not a DNS name or IP address: '" + name + "'");
    }
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static String pem(Object o) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }

  /** Written to a temporary file in the same directory (0600 for a key), then moved in place. */
  private static void writeAtomically(Path file, String text, boolean ownerOnly)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp =
        Files.createTempFile(
            dir,
            "." + file.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--")));
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
        w.write(text);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      if (Files.exists(file)) {
        throw new FileAlreadyExistsException(file.toString());
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
